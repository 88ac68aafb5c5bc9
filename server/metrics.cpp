#include "server/metrics.h"

#include <cstdio>

namespace rareledger::server {

std::string MicrosAsSeconds(uint64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%llu.%06llu", static_cast<unsigned long long>(micros / 1000000),
                static_cast<unsigned long long>(micros % 1000000));
  return buf;
}

void Metrics::Observe(const std::string& route, unsigned status, uint64_t micros) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_[{route, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBucketsMicros.size(); ++i)
    if (micros <= kBucketsMicros[i]) {
      ++h.buckets[i];
      break;
    }
  ++h.count;
  h.sum_micros += micros;
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out =
      "# HELP rareledger_http_requests_total Requests answered, by route and status.\n"
      "# TYPE rareledger_http_requests_total counter\n";
  for (const auto& [key, n] : counts_)
    out += "rareledger_http_requests_total{route=\"" + key.first + "\",code=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  out +=
      "# HELP rareledger_http_request_duration_seconds Time from a request's arrival to its "
      "answer.\n"
      "# TYPE rareledger_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    const std::string name = "rareledger_http_request_duration_seconds";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBucketsMicros.size(); ++i) {
      cumulative += h.buckets[i];
      out += name + "_bucket{route=\"" + route + "\",le=\"" + MicrosAsSeconds(kBucketsMicros[i]) +
             "\"} " + std::to_string(cumulative) + "\n";
    }
    out += name + "_bucket{route=\"" + route + "\",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += name + "_sum{route=\"" + route + "\"} " + MicrosAsSeconds(h.sum_micros) + "\n";
    out += name + "_count{route=\"" + route + "\"} " + std::to_string(h.count) + "\n";
  }
  return out;
}

}  // namespace rareledger::server
