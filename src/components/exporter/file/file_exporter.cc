#include "components/exporter/file/file_exporter.h"

#include "pdata/codec.h"

namespace agentgate::components::file {

RotationOptions rotationOptions(const Config& cfg) {
  RotationOptions o;
  if (cfg.rotation) {
    o.max_bytes = static_cast<uint64_t>(cfg.rotation->max_megabytes) << 20;
    o.max_days = cfg.rotation->max_days;
    o.max_backups = cfg.rotation->max_backups;
    o.localtime = cfg.rotation->localtime;
  }
  return o;
}

FileExporter::FileExporter(Config cfg)
    : cfg_(std::move(cfg)), file_(cfg_.path, rotationOptions(cfg_)) {}

Status FileExporter::start(Host& host) {
  (void)host;
  auto st = file_.open(cfg_.append);
  if (!st.ok()) return Error::config(st.error().message);
  return {};
}

void FileExporter::shutdown() { file_.close(); }

Status FileExporter::consume(BatchPtr&& batch) {
  std::string record;
  if (cfg_.format == "proto") {
    std::string body = pdata::encodeProtobuf(*batch);
    uint32_t n = static_cast<uint32_t>(body.size());
    record.reserve(4 + body.size());
    for (int shift = 24; shift >= 0; shift -= 8)
      record.push_back(static_cast<char>((n >> shift) & 0xff));
    record += body;
  } else {
    record = pdata::encodeJson(*batch);
    record += '\n';
  }
  return file_.write(record);
}

}  // namespace agentgate::components::file
