// Whole-buffer reads and writes over single ops: short counts are resumed here, once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/engine.h"
#include "engine/task.h"

namespace ursync::engine {

// Reads until `buf` is full or EOF. Returns the count read (< size only at EOF) or the error.
Task<SysResult> read_full(Engine& engine, int fd, std::span<std::byte> buf,
                          uint64_t offset = k_current_pos);

// Writes all of `buf`, resuming after short writes. Returns the size or the error.
Task<SysResult> write_all(Engine& engine, int fd, std::span<const std::byte> buf,
                          uint64_t offset = k_current_pos);

}  // namespace ursync::engine
