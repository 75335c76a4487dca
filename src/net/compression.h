// Content-Encoding codecs for request bodies (gzip, deflate/zlib, zstd, snappy, x-snappy-framed,
// lz4) with an output cap so a small compressed bomb never turns into a large allocation.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "agentgate/result.h"

namespace agentgate::net {

// True for "" and "identity": the body can be used as is, without a copy through decompress().
bool isIdentityEncoding(std::string_view encoding);
// True when decompress() knows the encoding (lets a receiver answer 400 before reading a body).
bool isSupportedEncoding(std::string_view encoding);

// Decodes `input`. More than `max_output` bytes of output -> kTooLarge (detected while
// streaming, before the excess is allocated); corrupt or truncated input -> kInvalid; unknown
// encoding -> kInvalid "unsupported Content-Encoding: X". Encoding names are case-insensitive.
Result<std::string> decompress(std::string_view encoding, std::string_view input,
                               size_t max_output);

// Encodes with default levels: gzip, zlib, deflate (= zlib), zstd, snappy, x-snappy-framed, lz4.
Result<std::string> compress(std::string_view encoding, std::string_view input);

}  // namespace agentgate::net
