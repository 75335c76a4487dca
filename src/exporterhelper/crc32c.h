// CRC32C (Castagnoli), the checksum of every persistent-queue record.
#pragma once

#include <cstdint>
#include <string_view>

namespace agentgate::exporterhelper {

// Extends `crc` (0 for a fresh checksum) over `data`.
uint32_t crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace agentgate::exporterhelper
