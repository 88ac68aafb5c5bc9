// TileCache: the bytes of recently served full tiles, least recently used
// first out, at most `budget` bytes of tile data. Only full tiles belong
// here: they are immutable (a full tile of an append-only log never changes),
// so a hit is always the tile's bytes. Thread-safe.
#ifndef RARELEDGER_SERVER_TILE_CACHE_H_
#define RARELEDGER_SERVER_TILE_CACHE_H_

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace rareledger::server {

class TileCache {
 public:
  explicit TileCache(size_t budget) : budget_(budget) {}

  // The cached bytes of `path`, or null.
  std::shared_ptr<const std::string> Get(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(path);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);  // now most recent
    return it->second->second;
  }

  // Keeps `bytes` as the tile at `path`, evicting the least recently used
  // tiles past the budget. A tile larger than the budget is not kept.
  void Put(const std::string& path, std::string bytes) {
    if (bytes.size() > budget_) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (index_.count(path)) return;
    used_ += bytes.size();
    order_.emplace_front(path, std::make_shared<const std::string>(std::move(bytes)));
    index_[path] = order_.begin();
    while (used_ > budget_) {
      used_ -= order_.back().second->size();
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

  size_t bytes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return used_;
  }

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const std::string>>;
  const size_t budget_;
  mutable std::mutex mu_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  size_t used_ = 0;
};

}  // namespace rareledger::server

#endif  // RARELEDGER_SERVER_TILE_CACHE_H_
