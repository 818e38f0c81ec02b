// Shared fixtures for fs tests: a scratch tree with root/ and outside/, on both engine backends
// and (for confined operations) both resolution strategies.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "engine/engine.h"
#include "fs/beneath.h"

namespace ursync::fs::testing {

using engine::Backend;

// Host-side helpers: plain syscalls from the test thread, outside any engine.
inline void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}
inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
inline bool exists_nofollow(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}
inline struct stat lstat_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st;
}
inline std::set<std::string> names_in(const std::string& dir) {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        names.insert(e.path().filename().string());
    return names;
}

// A scratch directory with root/ (the DirRoot) and outside/ (must never be touched by escapes).
class ScratchTree {
public:
    void create() {
        char tmpl[] = "/tmp/ursync-fs-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        base_ = tmpl;
        ASSERT_EQ(::mkdir(root().c_str(), 0755), 0);
        ASSERT_EQ(::mkdir(outside().c_str(), 0755), 0);
    }
    void destroy() {
        if (!base_.empty()) std::filesystem::remove_all(base_);
    }
    std::string root() const { return base_ + "/root"; }
    std::string outside() const { return base_ + "/outside"; }
    std::string in_root(const std::string& rel) const { return root() + "/" + rel; }
    std::string in_outside(const std::string& rel) const { return outside() + "/" + rel; }

private:
    std::string base_;
};

inline std::string backend_label(Backend b) { return b == Backend::io_uring ? "io_uring" : "threads"; }

// Parameterised on the engine backend.
class FsEngineTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        engine::EngineConfig config;
        config.force_threads = GetParam() == Backend::threads;
        engine_ = std::make_unique<engine::Engine>(config);
        if (GetParam() == Backend::io_uring && engine_->backend() != Backend::io_uring)
            GTEST_SKIP() << "io_uring unavailable: " << engine_->backend_description();
        tree_.create();
    }
    void TearDown() override {
        engine_.reset();
        tree_.destroy();
    }
    engine::Engine& engine() { return *engine_; }

    std::unique_ptr<engine::Engine> engine_;
    ScratchTree tree_;
};

inline std::string backend_param_name(const ::testing::TestParamInfo<Backend>& info) {
    return backend_label(info.param);
}

// Parameterised on backend x resolution strategy; root_ is a DirRoot on tree_.root().
class FsRootTest : public ::testing::TestWithParam<std::tuple<Backend, Resolution>> {
protected:
    void SetUp() override {
        engine::EngineConfig config;
        config.force_threads = std::get<0>(GetParam()) == Backend::threads;
        engine_ = std::make_unique<engine::Engine>(config);
        if (std::get<0>(GetParam()) == Backend::io_uring && engine_->backend() != Backend::io_uring)
            GTEST_SKIP() << "io_uring unavailable: " << engine_->backend_description();
        tree_.create();
        root_ = open_root(tree_.root());
        if (!root_) GTEST_SKIP() << "openat2 unavailable on this kernel";
    }
    void TearDown() override {
        root_.reset();
        engine_.reset();
        tree_.destroy();
    }
    // A DirRoot with this test's strategy; null when openat2 is forced but unavailable.
    std::unique_ptr<DirRoot> open_root(const std::string& path, size_t cache_entries =
                                                                    DirCache::k_entries_default) {
        DirRootOptions options;
        options.resolution = std::get<1>(GetParam());
        options.dir_cache_entries = cache_entries;
        auto root = engine_->run(DirRoot::open_root(*engine_, path, options));
        if (!root) {
            EXPECT_EQ(options.resolution, Resolution::openat2) << root.error().message();
            return nullptr;
        }
        EXPECT_EQ(root.value()->uses_openat2(), options.resolution == Resolution::openat2);
        return std::move(root).value();
    }
    engine::Engine& engine() { return *engine_; }
    DirRoot& root() { return *root_; }
    template <class T>
    T run(engine::Task<T> task) {
        return engine_->run(std::move(task));
    }

    std::unique_ptr<engine::Engine> engine_;
    ScratchTree tree_;
    std::unique_ptr<DirRoot> root_;
};

inline std::string root_param_name(
    const ::testing::TestParamInfo<std::tuple<Backend, Resolution>>& info) {
    return backend_label(std::get<0>(info.param)) +
           (std::get<1>(info.param) == Resolution::walk ? "_walk" : "_openat2");
}

#define URSYNC_FS_ROOT_SUITE(Suite)                                                              \
    INSTANTIATE_TEST_SUITE_P(                                                                    \
        Strategies, Suite,                                                                       \
        ::testing::Combine(::testing::Values(::ursync::engine::Backend::io_uring,                \
                                             ::ursync::engine::Backend::threads),                \
                           ::testing::Values(::ursync::fs::Resolution::openat2,                  \
                                             ::ursync::fs::Resolution::walk)),                   \
        ::ursync::fs::testing::root_param_name)

#define URSYNC_FS_ENGINE_SUITE(Suite)                                                            \
    INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                    \
                             ::testing::Values(::ursync::engine::Backend::io_uring,              \
                                               ::ursync::engine::Backend::threads),              \
                             ::ursync::fs::testing::backend_param_name)

}  // namespace ursync::fs::testing
