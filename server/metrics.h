// Metrics: request counts and latencies by route, in the Prometheus text
// exposition format (GET /metrics). Integer arithmetic only: latencies are
// kept in microseconds and printed as exact decimal seconds.
#ifndef RARELEDGER_SERVER_METRICS_H_
#define RARELEDGER_SERVER_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace rareledger::server {

class Metrics {
 public:
  // One answered request: its route pattern ("/v1/lots/{id}"), status, and
  // the time from the request's arrival to its answer.
  void Observe(const std::string& route, unsigned status, uint64_t micros);
  // The request families (rareledger_http_requests_total,
  // rareledger_http_request_duration_seconds) in exposition format.
  std::string Render() const;

 private:
  static constexpr std::array<uint64_t, 13> kBucketsMicros = {
      1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
      10000000};
  struct Histogram {
    std::array<uint64_t, kBucketsMicros.size()> buckets{};  // cumulative at render
    uint64_t count = 0;
    uint64_t sum_micros = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, unsigned>, uint64_t> counts_;
  std::map<std::string, Histogram> latency_;
};

// "0.002500" for 2500: exact decimal seconds.
std::string MicrosAsSeconds(uint64_t micros);

}  // namespace rareledger::server

#endif  // RARELEDGER_SERVER_METRICS_H_
