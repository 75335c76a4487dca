#include "components/receiver/otlp/ingest.h"

#include <memory>

#include "common/strings.h"

namespace agentgate::components::otlpreceiver {

std::optional<std::string_view> HeaderListLookup::get(std::string_view name) const {
  for (const auto& [k, v] : headers_) {
    if (strings::iequals(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

Result<AuthIdentity> authenticate(const ServerAuthenticator& auth, const HeaderList& headers) {
  HeaderListLookup lookup(headers);
  auto r = auth.authenticate(lookup);
  if (r.ok()) return r;
  Error err = r.takeError();
  err.code = ErrorCode::kUnauthenticated;
  err.permanent = true;
  for (const auto& [k, v] : headers) {
    (void)k;
    // The whole value and each space-separated part ("Bearer <token>") must not be echoed.
    std::string_view value = strings::trim(v);
    bool leaks = value.size() >= 4 && err.message.find(value) != std::string::npos;
    for (auto part : strings::split(value, ' ')) {
      if (part.size() >= 4 && err.message.find(part) != std::string::npos) leaks = true;
    }
    if (leaks) {
      err.message = "authentication failed";
      break;
    }
  }
  if (err.message.empty()) err.message = "authentication failed";
  return err;
}

TransportTelemetry::TransportTelemetry(selftelemetry::Registry& registry, std::string receiver,
                                       std::string transport)
    : registry_(registry),
      receiver_(std::move(receiver)),
      requests_metric_("agentgate_" + transport + "_requests_total") {
  selftelemetry::Labels labels = {{"receiver", receiver_}, {"transport", transport}};
  for (Signal s : kAllSignals) {
    auto i = static_cast<size_t>(s);
    accepted_[i] =
        &registry_.counter("otelcol_receiver_accepted_" + std::string(signalItemUnit(s)), labels,
                           "Number of items successfully pushed into the pipeline.");
    refused_[i] =
        &registry_.counter("otelcol_receiver_refused_" + std::string(signalItemUnit(s)), labels,
                           "Number of items that could not be pushed into the pipeline.");
  }
}

void TransportTelemetry::countItems(Signal signal, size_t n, bool accepted) {
  auto i = static_cast<size_t>(signal);
  (accepted ? accepted_[i] : refused_[i])->add(n);
}

void TransportTelemetry::countRequest(std::string_view code) {
  selftelemetry::Counter* c = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = requests_.find(code);
    if (it != requests_.end()) {
      c = it->second;
    } else {
      c = &registry_.counter(requests_metric_,
                             {{"receiver", receiver_}, {"code", std::string(code)}},
                             "Requests answered by the receiver, by status code.");
      requests_.emplace(std::string(code), c);
    }
  }
  c->add();
}

uint64_t decodeFootprint(uint64_t decoded_bytes, bool json) {
  // JSON: the body, simdjson's padded copy, tape and string buffer (about 4x the document
  // together), the arena's copies of strings; protobuf: the body (adopted, not copied), an arena
  // of about the same size, and the queue's serialized copy.
  return decoded_bytes * (json ? 7 : 3);
}

Error memoryRefusal() { return Error::unavailable("data refused due to high memory usage"); }

DeliverResult deliver(Signal signal, bool json, std::string&& body, pdata::RequestContext&& context,
                      Consumer& consumer, const pdata::DecodeLimits& limits,
                      TransportTelemetry& telemetry, MemoryReservation* reservation) {
  DeliverResult out;
  const uint64_t wire_bytes = body.size();
  auto batch = std::make_unique<pdata::Batch>(signal);
  Status decoded;
  if (json) {
    decoded = pdata::decodeJson(*batch, body, limits);
  } else {
    // The batch owns the bytes; decoded strings are views into them (no copy).
    std::string_view bytes = batch->adoptBuffer(std::move(body));
    decoded = pdata::decodeProtobuf(*batch, bytes, limits);
  }
  if (!decoded.ok()) {
    Error err = decoded.takeError();
    err.code = ErrorCode::kInvalid;
    err.permanent = true;
    out.status = std::move(err);
    return out;
  }
  out.items = batch->itemCount();
  if (out.items == 0) return out;
  if (reservation != nullptr) {
    // What stays held until the append returned: the batch as measured, plus one serialized
    // copy of it while a queue appends it (JSON's decoder buffers are gone by now).
    const uint64_t held = batch->bufferBytes() + batch->arenaBytes() + wire_bytes;
    if (!reservation->resize(held)) {
      if (reservation->budget() != nullptr) reservation->budget()->countRefusal();
      telemetry.countItems(signal, out.items, false);
      out.status = memoryRefusal();
      return out;
    }
  }
  batch->context = std::move(context);
  Status st;
  try {
    st = consumer.consume(std::move(batch));
  } catch (const std::exception&) {
    st = Error::internal("pipeline failure");
  }
  telemetry.countItems(signal, out.items, st.ok());
  out.status = std::move(st);
  return out;
}

HeaderList metadataForContext(const HeaderList& headers) {
  HeaderList out;
  out.reserve(headers.size());
  for (const auto& [k, v] : headers) {
    if (strings::iequals(k, "authorization") || strings::iequals(k, "proxy-authorization") ||
        strings::iequals(k, "cookie")) {
      continue;
    }
    out.emplace_back(strings::toLower(k), v);
  }
  return out;
}

}  // namespace agentgate::components::otlpreceiver
