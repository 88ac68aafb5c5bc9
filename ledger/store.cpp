#include "ledger/store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>

#include "ledger/records.h"
#include "ledger/store_format.h"

namespace rareledger::ledger {
namespace {

const char* const kFamilies[] = {format::kCfEntries, format::kCfPartySeq, format::kCfParties,
                                 format::kCfLots,    format::kCfConsumers, format::kCfTree,
                                 format::kCfCheckpoints, format::kCfKeys, format::kCfGlns};
constexpr size_t kFamilyCount = sizeof(kFamilies) / sizeof(kFamilies[0]);

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(what);
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos)
    return Status::Busy("ledger is in use by another writer (" + what + ")");
  return Status::IOError(what + ": " + s.ToString());
}

rocksdb::ColumnFamilyOptions FamilyOptions(const std::string& name) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  if (name == format::kCfLots || name == format::kCfParties || name == format::kCfPartySeq ||
      name == format::kCfConsumers || name == format::kCfTree || name == format::kCfKeys ||
      name == format::kCfGlns) {
    // Point lookups by key: a bloom filter saves reads of absent lots/seqs.
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  // Hashes do not compress; JSON entries and records do (LZ4 is cheap).
  o.compression = name == format::kCfTree ? rocksdb::kNoCompression : rocksdb::kLZ4Compression;
  return o;
}

}  // namespace

struct Store::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // [0] default, then kFamilies
  bool read_only = false;
  std::string path;

  rocksdb::ColumnFamilyHandle* Cf(const std::string& name) const {
    for (size_t i = 0; i < kFamilyCount; ++i)
      if (name == kFamilies[i]) return handles[i + 1];
    return name == "default" ? handles[0] : nullptr;
  }
  Result<std::optional<std::string>> Get(const char* cf, const std::string& key) const {
    std::string value;
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), Cf(cf), key, &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    RL_RETURN_IF_ERROR(FromRocks(s, std::string("read ") + cf));
    return std::optional<std::string>(std::move(value));
  }
  ~Impl() {
    for (auto* h : handles) {
      if (h != nullptr) (void)db->DestroyColumnFamilyHandle(h);
    }
    if (db) (void)db->Close();
  }
};

struct Store::Batch::Ops {
  rocksdb::WriteBatch wb;
  // Deferred so the batch is built without a Store; resolved at commit.
  struct Op {
    std::string cf, key, value;
  };
  std::vector<Op> ops;
};

Store::Batch::Batch() : ops_(std::make_unique<Ops>()) {}
Store::Batch::~Batch() = default;
size_t Store::Batch::count() const { return ops_->ops.size(); }

void Store::Batch::PutEntry(uint64_t index, const std::string& leaf, const std::string& party,
                            int64_t seq) {
  ops_->ops.push_back({format::kCfEntries, format::EntryKey(index), leaf});
  ops_->ops.push_back({format::kCfPartySeq,
                       format::PartySeqKey(party, static_cast<uint64_t>(seq)),
                       format::Be64(index)});
}

void Store::Batch::PutMutation(const Mutation& m) {
  for (const auto& p : m.parties) PutParty(p);
  for (const auto& l : m.lots) PutLot(l);
  for (const auto& lot : m.consumed_lots) PutConsumer(lot, m.index);
  PutIdentifiers(m);
}

void Store::Batch::PutIdentifiers(const Mutation& m) {
  for (const auto& c : m.new_keys)
    ops_->ops.push_back({format::kCfKeys, c.key, format::HolderValue(c.holder.since, c.holder.party)});
  for (const auto& c : m.new_glns)
    ops_->ops.push_back({format::kCfGlns, c.key, format::HolderValue(c.holder.since, c.holder.party)});
}

void Store::Batch::PutParty(const PartyRecord& p) {
  ops_->ops.push_back({format::kCfParties, p.id, EncodeParty(p)});
}

void Store::Batch::PutLot(const LotRecord& l) {
  ops_->ops.push_back({format::kCfLots, l.id, EncodeLot(l)});
}

void Store::Batch::PutConsumer(const std::string& lot, uint64_t index) {
  ops_->ops.push_back({format::kCfConsumers, format::ConsumerKey(lot, index), ""});
}

void Store::Batch::PutNodes(const std::vector<std::pair<NodeId, Hash>>& nodes) {
  for (const auto& [id, h] : nodes)
    ops_->ops.push_back({format::kCfTree, format::TreeKey(id), std::string(AsBytes(h))});
}

void Store::Batch::PutMeta(const std::string& key, const std::string& value) {
  ops_->ops.push_back({"default", key, value});
}

void Store::Batch::PutCheckpoint(uint64_t n, const std::string& note) {
  ops_->ops.push_back({format::kCfCheckpoints, format::Be64(n), note});
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, Mode mode) {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool exists = fs::exists(fs::path(path) / "CURRENT", ec);
  if (mode == Mode::kCreate && exists)
    return Status::InvalidArgument("a ledger already exists at " + path);
  if (mode != Mode::kCreate && !exists)
    return Status::NotFound("no ledger at " + path + " (run `rareledger init` first)");

  // A ledger from before the `keys`/`glns` families: a writer creates and
  // fills them; a reader cannot.
  bool missing_identifiers = false;
  if (mode != Mode::kCreate) {
    std::vector<std::string> names;
    if (rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok())
      missing_identifiers =
          std::find(names.begin(), names.end(), format::kCfKeys) == names.end() ||
          std::find(names.begin(), names.end(), format::kCfGlns) == names.end();
    if (missing_identifiers && mode == Mode::kReadOnly)
      return Status::Corruption("ledger at " + path +
                                " predates the keys index: open it once for writing (e.g. "
                                "`rareledger checkpoint`) to build it");
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = mode == Mode::kCreate;
  db_options.create_missing_column_families = mode == Mode::kCreate || missing_identifiers;
  db_options.max_background_jobs = 2;
  db_options.info_log_level = rocksdb::InfoLogLevel::ERROR_LEVEL;
  db_options.keep_log_file_num = 2;
  // Memory: all column families share 64 MiB of memtables (the default is
  // 64 MiB per family, two each: ~1 GiB for eight), which keeps a bulk
  // submit's RSS flat; a rarely written family cannot pin old WAL files.
  // Crash semantics are unchanged: every acknowledged batch is in a synced
  // WAL, and a memtable flush only moves data the WAL already holds.
  db_options.db_write_buffer_size = 64 << 20;
  db_options.max_total_wal_size = 128 << 20;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, FamilyOptions("default"));
  for (const char* name : kFamilies) families.emplace_back(name, FamilyOptions(name));

  auto impl = std::make_unique<Impl>();
  impl->read_only = mode == Mode::kReadOnly;
  impl->path = path;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      impl->read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, path, families, &impl->handles, &raw)
          : rocksdb::DB::Open(db_options, path, families, &impl->handles, &raw);
  if (!s.ok()) return FromRocks(s, "open " + path);
  impl->db.reset(raw);
  std::unique_ptr<Store> store(new Store(std::move(impl)));
  if (mode != Mode::kCreate) RL_RETURN_IF_ERROR(store->LoadMeta());
  if (missing_identifiers) RL_RETURN_IF_ERROR(store->BackfillIdentifiers());
  return store;
}

Status Store::BackfillIdentifiers() {
  RL_ASSIGN_OR_RETURN(std::vector<PartyRecord> parties, AllParties());
  Batch batch;
  Mutation m;
  for (const auto& p : parties) {
    for (const auto& k : p.keys) m.new_keys.push_back({k.pubkey, {p.id, k.from_index}});
    if (p.gln) m.new_glns.push_back({*p.gln, {p.id, p.keys.front().from_index}});
  }
  batch.PutIdentifiers(m);
  return Commit(batch);
}

Status Store::LoadMeta() {
  RL_ASSIGN_OR_RETURN(auto fmt, impl_->Get("default", format::kMetaFormat));
  if (!fmt) return Status::Corruption("ledger has no format marker (not initialised?)");
  if (*fmt != format::kFormatVersion)
    return Status::Corruption("unsupported ledger format \"" + *fmt + "\"");
  RL_ASSIGN_OR_RETURN(auto id, impl_->Get("default", format::kMetaLedgerId));
  RL_ASSIGN_OR_RETURN(auto cur, impl_->Get("default", format::kMetaCurrency));
  RL_ASSIGN_OR_RETURN(auto fr, impl_->Get("default", format::kMetaFrontier));
  if (!id || !cur || !fr) return Status::Corruption("ledger metadata is incomplete");
  ledger_id_ = *id;
  currency_ = *cur;
  RL_ASSIGN_OR_RETURN(frontier_, Frontier::Deserialize(*fr));
  return Status::Ok();
}

Status Store::Commit(Batch& batch, bool sync) {
  if (impl_->read_only) return Status::InvalidArgument("ledger opened read-only");
  // Refuse a commit the disk cannot hold (the WAL write, then the memtable
  // flush, each about the batch's size, plus a reserve), so a full disk is a
  // clean error before anything is written: RocksDB's own ENOSPC path can
  // abort the process (docs/robustness.md).
  uint64_t bytes = 0;
  for (const auto& op : batch.ops_->ops) bytes += op.key.size() + op.value.size() + 16;
  struct statvfs vfs {};
  if (statvfs(impl_->path.c_str(), &vfs) == 0) {
    const uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    const uint64_t need = 2 * bytes + (uint64_t{256} << 10);
    if (free_bytes < need)
      return Status::IOError("disk full: " + std::to_string(free_bytes) + " bytes free at " +
                             impl_->path + ", this commit needs " + std::to_string(need) +
                             "; nothing was written");
  }
  rocksdb::WriteBatch wb;
  const std::string* frontier = nullptr;  // the batch's new frontier, if any
  for (const auto& op : batch.ops_->ops) {
    rocksdb::Status s = wb.Put(impl_->Cf(op.cf), op.key, op.value);
    if (!s.ok()) return FromRocks(s, "batch");
    if (op.cf == "default" && op.key == format::kMetaFrontier) frontier = &op.value;
  }
  std::optional<Frontier> next;
  if (frontier != nullptr) {
    auto parsed = Frontier::Deserialize(*frontier);
    if (!parsed.ok()) return parsed.status().WithContext("batch frontier");
    next = std::move(parsed).value();
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  RL_RETURN_IF_ERROR(FromRocks(impl_->db->Write(wo, &wb), "write"));
  batch.ops_->ops.clear();
  // The batch's metadata is now what the store holds: no need to read it
  // back (Init writes the first metadata through LoadMeta's checks below).
  if (next) frontier_ = std::move(*next);
  if (ledger_id_.empty()) return LoadMeta();
  return Status::Ok();
}

Result<std::optional<std::string>> Store::GetMeta(const std::string& key) const {
  return impl_->Get("default", key);
}

Result<std::optional<std::string>> Store::FindLeaf(uint64_t index) const {
  return impl_->Get(format::kCfEntries, format::EntryKey(index));
}

Result<std::string> Store::GetLeaf(uint64_t index) const {
  RL_ASSIGN_OR_RETURN(auto v, FindLeaf(index));
  if (!v) {
    if (index < frontier_.size())
      return Status::Corruption("entry " + std::to_string(index) + " is missing from the store");
    return Status::NotFound("no entry " + std::to_string(index) + " (log size " +
                            std::to_string(frontier_.size()) + ")");
  }
  return std::move(*v);
}

Status Store::ScanEntries(uint64_t from, uint64_t to,
                          const std::function<Status(uint64_t, std::string_view)>& fn) const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->Cf(format::kCfEntries)));
  uint64_t want = from;
  for (it->Seek(format::EntryKey(from)); it->Valid() && want < to; it->Next(), ++want) {
    uint64_t index = 0;
    if (!format::ParseBe64(it->key().ToStringView(), &index))
      return Status::Corruption("malformed entry key in the store");
    if (index != want)
      return Status::Corruption("entry " + std::to_string(want) + " is missing from the store");
    RL_RETURN_IF_ERROR(fn(index, it->value().ToStringView()));
  }
  RL_RETURN_IF_ERROR(FromRocks(it->status(), "scan entries"));
  if (want < to)
    return Status::Corruption("entry " + std::to_string(want) + " is missing from the store");
  return Status::Ok();
}

Result<std::optional<uint64_t>> Store::FindIndexBySeq(const std::string& party,
                                                      int64_t seq) const {
  RL_ASSIGN_OR_RETURN(auto v, impl_->Get(format::kCfPartySeq,
                                         format::PartySeqKey(party, static_cast<uint64_t>(seq))));
  if (!v) return std::optional<uint64_t>();
  uint64_t index = 0;
  if (!format::ParseBe64(*v, &index)) return Status::Corruption("malformed party_seq value");
  return std::optional<uint64_t>(index);
}

Result<std::vector<uint64_t>> Store::ConsumersOf(const std::string& lot) const {
  std::vector<uint64_t> out;
  std::string prefix = lot + '\0';
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->Cf(format::kCfConsumers)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    uint64_t index = 0;
    if (!format::ParseBe64(it->key().ToStringView().substr(prefix.size()), &index))
      return Status::Corruption("malformed consumers key for lot " + lot);
    out.push_back(index);
  }
  RL_RETURN_IF_ERROR(FromRocks(it->status(), "scan consumers"));
  return out;
}

Result<std::vector<PartyRecord>> Store::AllParties() const {
  std::vector<PartyRecord> out;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->Cf(format::kCfParties)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    RL_ASSIGN_OR_RETURN(PartyRecord p, DecodeParty(it->value().ToStringView()));
    out.push_back(std::move(p));
  }
  RL_RETURN_IF_ERROR(FromRocks(it->status(), "scan parties"));
  return out;
}

Status Store::ForEachLot(const std::function<Status(const LotRecord&)>& fn) const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->Cf(format::kCfLots)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    RL_ASSIGN_OR_RETURN(LotRecord l, DecodeLot(it->value().ToStringView()));
    if (l.id != it->key().ToStringView())
      return Status::Corruption("lot record under key " + it->key().ToString() + " names lot " + l.id);
    RL_RETURN_IF_ERROR(fn(l));
  }
  return FromRocks(it->status(), "scan lots");
}

Result<std::vector<std::string>> Store::Checkpoints() const {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->Cf(format::kCfCheckpoints)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(it->value().ToString());
  RL_RETURN_IF_ERROR(FromRocks(it->status(), "scan checkpoints"));
  return out;
}

Status Store::ForEachRaw(
    const std::string& cf,
    const std::function<Status(std::string_view, std::string_view)>& fn) const {
  auto* h = impl_->Cf(cf);
  if (h == nullptr) return Status::InvalidArgument("no column family " + cf);
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, h));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    RL_RETURN_IF_ERROR(fn(it->key().ToStringView(), it->value().ToStringView()));
  return FromRocks(it->status(), "scan " + cf);
}

Result<std::optional<std::string>> Store::FindRaw(const std::string& cf,
                                                  const std::string& key) const {
  if (impl_->Cf(cf) == nullptr) return Status::InvalidArgument("no column family " + cf);
  return impl_->Get(cf.c_str(), key);
}

std::vector<std::string> Store::Families() {
  std::vector<std::string> out = {rocksdb::kDefaultColumnFamilyName};
  out.insert(out.end(), std::begin(kFamilies), std::end(kFamilies));
  return out;
}

Result<std::optional<PartyRecord>> Store::FindParty(const std::string& id) const {
  RL_ASSIGN_OR_RETURN(auto v, impl_->Get(format::kCfParties, id));
  if (!v) return std::optional<PartyRecord>();
  RL_ASSIGN_OR_RETURN(PartyRecord p, DecodeParty(*v));
  return std::optional<PartyRecord>(std::move(p));
}

Result<std::optional<LotRecord>> Store::FindLot(const std::string& id) const {
  RL_ASSIGN_OR_RETURN(auto v, impl_->Get(format::kCfLots, id));
  if (!v) return std::optional<LotRecord>();
  RL_ASSIGN_OR_RETURN(LotRecord l, DecodeLot(*v));
  return std::optional<LotRecord>(std::move(l));
}

namespace {

Result<std::optional<IdentifierHolder>> DecodeHolder(const std::optional<std::string>& v,
                                                     const char* cf) {
  if (!v) return std::optional<IdentifierHolder>();
  IdentifierHolder h;
  if (!format::ParseHolderValue(*v, &h.since, &h.party))
    return Status::Corruption(std::string("malformed ") + cf + " row");
  return std::optional<IdentifierHolder>(std::move(h));
}

}  // namespace

Result<std::optional<IdentifierHolder>> Store::FindKeyHolder(const std::string& pubkey) const {
  RL_ASSIGN_OR_RETURN(auto v, impl_->Get(format::kCfKeys, pubkey));
  return DecodeHolder(v, format::kCfKeys);
}

Result<std::optional<IdentifierHolder>> Store::FindGlnHolder(const std::string& gln) const {
  RL_ASSIGN_OR_RETURN(auto v, impl_->Get(format::kCfGlns, gln));
  return DecodeHolder(v, format::kCfGlns);
}

Result<std::vector<Hash>> Store::GetNodes(const std::vector<NodeId>& ids) const {
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (const auto& id : ids) keys.push_back(format::TreeKey(id));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> cfs(ids.size(), impl_->Cf(format::kCfTree));
  std::vector<std::string> values;
  std::vector<rocksdb::Status> st = impl_->db->MultiGet(rocksdb::ReadOptions(), cfs, slices, &values);
  std::vector<Hash> out(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (st[i].IsNotFound()) return Status::NotFound("tree node " + ToString(ids[i]) + " is missing");
    RL_RETURN_IF_ERROR(FromRocks(st[i], "read tree node"));
    if (values[i].size() != out[i].size())
      return Status::Corruption("tree node " + ToString(ids[i]) + " is not 32 bytes");
    std::copy(values[i].begin(), values[i].end(), out[i].begin());
  }
  return out;
}

Status Store::RawPut(const std::string& cf, const std::string& key, const std::string& value) {
  auto* h = impl_->Cf(cf);
  if (h == nullptr) return Status::InvalidArgument("no column family " + cf);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(impl_->db->Put(wo, h, key, value), "raw put");
}

Status Store::RawDelete(const std::string& cf, const std::string& key) {
  auto* h = impl_->Cf(cf);
  if (h == nullptr) return Status::InvalidArgument("no column family " + cf);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(impl_->db->Delete(wo, h, key), "raw delete");
}

namespace format {

std::string Be64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  return out;
}

bool ParseHolderValue(std::string_view bytes, uint64_t* since, std::string* party) {
  if (bytes.size() <= 8 || !ParseBe64(bytes.substr(0, 8), since)) return false;
  *party = std::string(bytes.substr(8));
  return true;
}

bool ParseBe64(std::string_view bytes, uint64_t* v) {
  if (bytes.size() != 8) return false;
  uint64_t r = 0;
  for (unsigned char c : bytes) r = (r << 8) | c;
  *v = r;
  return true;
}

}  // namespace format
}  // namespace rareledger::ledger
