// Shared fixture for engine tests: every test runs on both backends (io_uring and worker threads).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "engine/engine.h"

namespace ursync::engine::testing {

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::io_uring ? "io_uring" : "threads";
}

class EngineTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        EngineConfig config;
        config.force_threads = GetParam() == Backend::threads;
        engine_ = std::make_unique<Engine>(config);
        if (GetParam() == Backend::io_uring && engine_->backend() != Backend::io_uring)
            GTEST_SKIP() << "io_uring unavailable here: " << engine_->backend_description();
        char tmpl[] = "/tmp/ursync-engine-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        engine_.reset();
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }
    Engine& engine() { return *engine_; }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

    std::unique_ptr<Engine> engine_;
    std::string dir_;
};

inline std::span<const std::byte> bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
inline std::string string_of(std::span<const std::byte> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace ursync::engine::testing
