// rl_bench: the scale benchmark of issue 6 (docs/performance.md).
//
// One run measures, on this machine and in this order:
//   1. L, the raw Ed25519 verify rate on all cores (ledger::Verifier on
//      pre-parsed keys, ~300-byte messages), re-measured before the ingest,
//      between ingest and verify, and after the verify; each phase is
//      compared with the mean of the two measurements around it, so each
//      ratio compares like with like on a shared machine;
//   2. generates N signed entries (JSON Lines) from many parties (not timed
//      as ingest);
//   3. bulk ingest with the real binary (`rareledger submit --quiet`, fork +
//      exec), wall time and the child's peak RSS (wait4 ru_maxrss);
//   4. `rareledger verify` of that ledger;
//   5. `assess` of one product (a fixed 3-tier cone) in the big ledger vs the
//      same cone alone in a tiny ledger: the binary (median of runs) and
//      in-process graph::Assess over graph::LedgerSource (median);
//   6. `rareledger prove inclusion` at N vs at 1k entries (the binary,
//      median of runs at random indexes) and in-process
//      Ledger::ProveInclusion (median over random indexes, with its parts);
//   7. bytes on disk of the ledger directory ÷ canonical leaf bytes.
// Every target is a ratio within the run, never a timed assertion.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/baseline.h"
#include "bench/harness.h"
#include "graph/assessment.h"
#include "graph/ledger_source.h"
#include "graph/policy.h"
#include "ledger/envelope.h"
#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace rareledger;
using namespace rareledger::bench;

namespace {

constexpr const char* kLedgerId = "bench-ledger";
constexpr const char* kTime = "2026-11-28T10:00:00Z";

struct Options {
  std::string bin;       // the rareledger binary
  std::string work;      // scratch directory (wiped)
  std::string policy;    // policy file for assess
  uint64_t entries = 1000000;
  unsigned threads = 2;
  unsigned producers = 1000;
  double baseline_seconds = 4;
  int assess_runs = 7;
  int prove_runs = 15;
  int assess_inproc_runs = 50;
  int proofs = 3000;
  bool keep = false;
  bool profile_only = false;  // generate + init only, print the commands
};

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "rl_bench: " << what << "\n";
  std::exit(1);
}

template <typename T>
T Must(ledger::Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return std::move(r).value();
}

void MustOk(const ledger::Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.ToString());
}

unsigned Cores(unsigned wanted) {
  unsigned hw = std::thread::hardware_concurrency();
  return wanted ? wanted : (hw ? hw : 2);
}

// ---------------------------------------------------------------------------
// 1. The machine's limit: Ed25519 verifications per second on all cores.

// Verifications per CPU-second of the last MeasureL: the limit with
// the machine's load taken out (the VM is shared; see docs/performance.md).
double g_last_cpu_rate = 0;

// bench/baseline.h MeasureVerifyRate, keeping the per-CPU-second figure of the last call.
double MeasureL(unsigned threads, double seconds) {
  VerifyRate r = bench::MeasureVerifyRate(threads, seconds);
  g_last_cpu_rate = r.per_cpu_s;
  return r.per_s;
}

// ---------------------------------------------------------------------------
// 2. The workload: signed entries from many parties.

struct HeldLot {
  std::string id;
  int64_t remaining = 0;
};

struct PartyGen {
  std::string id;
  std::string country;
  std::vector<std::string> roles;
  ledger::Signer signer;
  int64_t seq = 0;
  std::vector<HeldLot> held;
};

struct Pending {
  size_t party;
  std::string payload;  // JSON text (any form)
};

class Workload {
 public:
  explicit Workload(ledger::Signer op) { parties_.push_back({"operator", "CH", {}, std::move(op), 1, {}}); }

  size_t AddParty(const std::string& id, const std::string& country,
                  std::vector<std::string> roles) {
    parties_.push_back({id, country, std::move(roles), SeededSigner("party-" + id), 0, {}});
    size_t i = parties_.size() - 1;
    const PartyGen& p = parties_[i];
    Emit(0, "register_party",
         {{"id", p.id}, {"name", "Bench party " + p.id + " Ltd."}, {"country", p.country},
          {"roles", p.roles}, {"pubkey", p.signer.public_key().ToBase64()}});
    return i;
  }

  void Emit(size_t party, const char* type, json body) {
    PartyGen& p = parties_[party];
    body["type"] = type;
    body["ledger"] = kLedgerId;
    body["party"] = p.id;
    body["seq"] = ++p.seq;
    body["time"] = kTime;
    pending_.push_back({party, body.dump()});
  }

  // Signs what is pending on `threads` threads and appends the envelopes to
  // `out`, one a line, in order.
  void Flush(std::ofstream& out, unsigned threads) {
    std::vector<std::string> lines(pending_.size());
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (size_t i = t; i < pending_.size(); i += threads) {
          lines[i] = Must(ledger::SignEnvelopeText(pending_[i].payload,
                                               parties_[pending_[i].party].signer),
                          "sign envelope");
        }
      });
    }
    for (auto& th : pool) th.join();
    for (const auto& l : lines) {
      out << l << '\n';
      bytes_ += l.size();
    }
    lines_ += lines.size();
    pending_.clear();
  }

  size_t pending() const { return pending_.size(); }
  uint64_t lines() const { return lines_; }
  uint64_t bytes() const { return bytes_; }
  std::vector<PartyGen>& parties() { return parties_; }

 private:
  std::vector<PartyGen> parties_;
  std::vector<Pending> pending_;
  uint64_t lines_ = 0;
  uint64_t bytes_ = 0;
};

const char* kCountries[] = {"AU", "US", "CA", "BR", "VN", "MY", "JP", "KR", "DE", "FR",
                            "IN", "ZA", "CN", "GB", "SE", "EE", "TH", "MX", "NO", "CL"};
const char* kMaterials[] = {"mixed rare earth concentrate, 58% TREO",
                            "NdPr oxide, 99.5% TREO",
                            "dysprosium oxide, 99.9%",
                            "NdFeB alloy flake, strip cast",
                            "sintered NdFeB blocks, grade N52",
                            "copper winding wire, 0.8 mm",
                            "electrical steel laminations",
                            "terbium metal, 99.9%"};
const char* kCategories[] = {"re_concentrate", "re_oxide", "re_oxide", "re_alloy",
                             "re_magnet",      "other",    "other",    "re_metal"};

// The fixed product cone, identical bytes in the big and the tiny ledger:
// mine (CN) -> separation (CN) -> magnet making (JP, CN technology) ->
// device assembly (US). Registrations come first (operator seq 2..5).
struct Cone {
  size_t mine, sep, mag, dev;
};

Cone RegisterCone(Workload& w) {
  Cone c;
  c.mine = w.AddParty("cone-mine", "CN", {"producer"});
  c.sep = w.AddParty("cone-sep", "CN", {"processor"});
  c.mag = w.AddParty("cone-mag", "JP", {"manufacturer"});
  c.dev = w.AddParty("cone-dev", "US", {"manufacturer"});
  return c;
}

void EmitCone(Workload& w, const Cone& c) {
  w.Emit(c.mine, "create_lot",
         {{"lot", "CONE-ORE-1"}, {"material", "bastnaesite concentrate"}, {"category", "re_concentrate"},
          {"mass_g", 10000000}, {"value", 5000000}, {"origin", "CN"},
          {"elements", {{"Dy", 50000}, {"Nd", 300000}}}});
  w.Emit(c.mine, "transfer", {{"lot", "CONE-ORE-1"}, {"to", "cone-sep"}, {"value", 6000000}});
  w.Emit(c.sep, "transform",
         {{"process", "separation"}, {"facility_country", "CN"},
          {"inputs", {{{"lot", "CONE-ORE-1"}, {"mass_g", 10000000}}}},
          {"outputs", {{{"lot", "CONE-OX-1"}, {"material", "Dy oxide"}, {"category", "re_oxide"},
                        {"mass_g", 60000}, {"value", 40000000}, {"elements", {{"Dy", 45000}}}},
                       {{"lot", "CONE-OX-2"}, {"material", "Nd oxide"}, {"category", "re_oxide"},
                        {"mass_g", 350000}, {"value", 30000000}, {"elements", {{"Nd", 290000}}}}}}});
  w.Emit(c.sep, "transfer", {{"lot", "CONE-OX-1"}, {"to", "cone-mag"}, {"value", 42000000}});
  w.Emit(c.sep, "transfer", {{"lot", "CONE-OX-2"}, {"to", "cone-mag"}, {"value", 31000000}});
  w.Emit(c.mag, "create_lot",
         {{"lot", "CONE-FE-1"}, {"material", "iron boron alloy"}, {"category", "other"},
          {"mass_g", 5000000}, {"value", 1000000}, {"origin", "JP"}});
  w.Emit(c.mag, "transform",
         {{"process", "magnet_manufacturing"}, {"facility_country", "JP"},
          {"technology_origin", "CN"},
          {"inputs", {{{"lot", "CONE-OX-1"}, {"mass_g", 60000}},
                      {{"lot", "CONE-OX-2"}, {"mass_g", 350000}},
                      {{"lot", "CONE-FE-1"}, {"mass_g", 590000}}}},
          {"outputs", {{{"lot", "CONE-MAG-1"}, {"material", "sintered NdFeB, grade N48SH"},
                        {"category", "re_magnet"}, {"mass_g", 1000000}, {"value", 90000000},
                        {"elements", {{"Dy", 45000}, {"Nd", 290000}}}}}}});
  w.Emit(c.mag, "transfer", {{"lot", "CONE-MAG-1"}, {"to", "cone-dev"}, {"value", 95000000}});
  w.Emit(c.dev, "create_lot",
         {{"lot", "CONE-HOUSING-1"}, {"material", "aluminium housings"}, {"category", "component"},
          {"mass_g", 2000000}, {"value", 3000000}, {"origin", "US"}});
  w.Emit(c.dev, "transform",
         {{"process", "assembly"}, {"facility_country", "US"},
          {"inputs", {{{"lot", "CONE-MAG-1"}, {"mass_g", 1000000}},
                      {{"lot", "CONE-HOUSING-1"}, {"mass_g", 2000000}}}},
          {"outputs", {{{"lot", "CONE-DEV-1"}, {"material", "servo motors x1000"},
                        {"category", "product"}, {"mass_g", 3000000}, {"value", 250000000}}}}});
}
constexpr const char* kConeProduct = "CONE-DEV-1";

// One random step of the many-party workload.
class Mixer {
 public:
  Mixer(size_t first, size_t count) : first_(first), count_(count) {}

  void Step(Workload& w) {
    auto& parties = w.parties();
    size_t pi = first_ + rng_() % count_;
    PartyGen& p = parties[pi];
    unsigned r = rng_() % 100;
    if (!p.held.empty() && r < 40) {  // transfer what remains to another party
      HeldLot lot = p.held.back();
      p.held.pop_back();
      size_t qi = first_ + rng_() % count_;
      if (qi == pi) qi = first_ + (qi - first_ + 1) % count_;
      json body = {{"lot", lot.id}, {"to", parties[qi].id}};
      if (r % 2) body["value"] = static_cast<int64_t>(lot.remaining * 37 + 1000);
      w.Emit(pi, "transfer", std::move(body));
      if (parties[qi].held.size() < 256) parties[qi].held.push_back(lot);
      return;
    }
    if (!p.held.empty() && r < 48) {  // transform one held lot into a new one
      HeldLot in = p.held.back();
      p.held.pop_back();
      std::string out = NewLotId();
      int64_t m = std::max<int64_t>(1, in.remaining * 9 / 10);
      size_t k = rng_() % 8;
      w.Emit(pi, "transform",
             {{"process", r % 2 ? "metal_smelting" : "separation"},
              {"facility_country", p.country},
              {"inputs", {{{"lot", in.id}, {"mass_g", in.remaining}}}},
              {"outputs", {{{"lot", out}, {"material", kMaterials[k]}, {"category", kCategories[k]},
                            {"mass_g", m}, {"value", m * 53 + 17}}}}});
      p.held.push_back({out, m});
      return;
    }
    if (!p.held.empty() && r < 52 && p.held.back().remaining >= 2) {  // split half off
      HeldLot& parent = p.held.back();
      int64_t part = parent.remaining / 2;
      std::string id = NewLotId();
      w.Emit(pi, "split", {{"lot", parent.id}, {"parts", {{{"lot", id}, {"mass_g", part}}}}});
      parent.remaining -= part;
      if (p.held.size() < 256) p.held.push_back({id, part});
      return;
    }
    // create a lot
    size_t k = rng_() % 8;
    int64_t mass = 1000 + static_cast<int64_t>(rng_() % 50000000);
    json body = {{"lot", NewLotId()},
                 {"material", kMaterials[k]},
                 {"category", kCategories[k]},
                 {"mass_g", mass},
                 {"value", mass * 41 + 5},
                 {"origin", p.country}};
    if (k < 5) body["elements"] = {{"Nd", mass / 5}, {"Pr", mass / 20}};
    std::string id = body["lot"];
    w.Emit(pi, "create_lot", std::move(body));
    if (p.held.size() < 256) p.held.push_back({id, mass});
  }

 private:
  std::string NewLotId() {
    char buf[32];
    std::snprintf(buf, sizeof buf, "LOT-%08llu", static_cast<unsigned long long>(++lots_));
    return buf;
  }
  size_t first_, count_;
  uint64_t lots_ = 0;
  std::mt19937_64 rng_{20261128};
};

// Writes the big workload (N-1 lines: entry 0 comes from Init) with the cone
// in the middle. Returns the number of lines.
uint64_t GenerateBig(const Options& o, const std::string& path, unsigned threads) {
  Workload w(SeededSigner("operator"));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  Cone cone = RegisterCone(w);
  size_t first = w.parties().size();
  for (unsigned i = 0; i < o.producers; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "prod-%04u", i);
    w.AddParty(id, kCountries[i % 20], {"producer", "processor"});
  }
  Mixer mix(first, o.producers);
  const uint64_t total = o.entries - 1;
  bool cone_done = false;
  double t0 = Now();
  while (w.lines() + w.pending() < total) {
    if (!cone_done && w.lines() + w.pending() >= total / 2) {
      EmitCone(w, cone);
      cone_done = true;
    }
    if (w.lines() + w.pending() < total) mix.Step(w);
    if (w.pending() >= 32768) {
      w.Flush(out, threads);
      std::cerr << "\r  generated " << w.lines() << "/" << total << " ("
                << Fmt(static_cast<double>(w.lines()) / (Now() - t0), 0) << "/s)" << std::flush;
    }
  }
  if (!cone_done) EmitCone(w, cone);  // tiny N: the cone still goes in
  w.Flush(out, threads);
  std::cerr << "\r  generated " << w.lines() << " lines, " << w.bytes() << " bytes in "
            << Fmt(Now() - t0, 1) << " s\n";
  return w.lines();
}

uint64_t GenerateCone(const std::string& path) {
  Workload w(SeededSigner("operator"));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  Cone cone = RegisterCone(w);
  EmitCone(w, cone);
  w.Flush(out, 1);
  return w.lines();
}

uint64_t CopyLines(const std::string& from, const std::string& to, uint64_t n) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  std::string line;
  uint64_t k = 0;
  while (k < n && std::getline(in, line)) {
    out << line << '\n';
    ++k;
  }
  return k;
}

void InitLedger(const std::string& dir) {
  fs::remove_all(dir);
  ledger::Signer op = SeededSigner("operator");
  auto l = Must(ledger::Ledger::Init(dir, kLedgerId, "USD", "CH", op, kTime), "init " + dir);
}

ChildResult Rareledger(const Options& o, const std::string& db, std::vector<std::string> args) {
  std::vector<std::string> argv = {o.bin, "--db", db};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunChild(argv, o.work);
}

ChildResult SubmitOrDie(const Options& o, const std::string& db, const std::string& file) {
  ChildResult r = Rareledger(o, db, {"submit", file, "--quiet"});
  if (r.exit_code != 0) Die("submit into " + db + " failed (" + std::to_string(r.exit_code) + "): " + r.err);
  return r;
}

// Per-column-family SST bytes, from RocksDB itself (read-only open).
std::vector<std::pair<std::string, uint64_t>> ColumnFamilySizes(const std::string& dir) {
  std::vector<std::pair<std::string, uint64_t>> out;
  std::vector<std::string> names;
  rocksdb::Options opts;
  if (!rocksdb::DB::ListColumnFamilies(opts, dir, &names).ok()) return out;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, cfs, &handles, &db).ok()) return out;
  for (size_t i = 0; i < handles.size(); ++i) {
    uint64_t sst = 0, mem = 0;
    db->GetIntProperty(handles[i], "rocksdb.total-sst-files-size", &sst);
    db->GetIntProperty(handles[i], "rocksdb.cur-size-all-mem-tables", &mem);
    out.emplace_back(names[i], sst);
    (void)mem;
    if (names[i] == "tree" || names[i] == "entries") {
      std::string files;
      for (int level = 0; level < 4; ++level) {
        std::string v;
        db->GetProperty(handles[i], "rocksdb.num-files-at-level" + std::to_string(level), &v);
        files += (level ? "/" : "") + v;
      }
      std::cout << "    " << names[i] << " CF: SST files at levels 0/1/2/3: " << files << "\n";
    }
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
  return out;
}

std::map<std::string, uint64_t> FileKinds(const std::string& dir) {
  std::map<std::string, uint64_t> kinds;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    std::string kind = "other";
    if (name.size() > 4 && name.ends_with(".sst")) kind = "sst";
    else if (name.size() > 4 && name.ends_with(".log")) kind = "wal";
    else if (name.rfind("LOG", 0) == 0) kind = "info-log";
    else if (name.rfind("MANIFEST", 0) == 0) kind = "manifest";
    kinds[kind] += e.file_size();
  }
  return kinds;
}

std::string Mib(uint64_t b) { return Fmt(static_cast<double>(b) / (1 << 20), 1) + " MiB"; }

std::vector<std::string> ParseArgs(int argc, char** argv, Options* o) {
  std::vector<std::string> rest;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--bin") o->bin = val();
    else if (a == "--work") o->work = val();
    else if (a == "--policy") o->policy = val();
    else if (a == "--entries") o->entries = std::stoull(val());
    else if (a == "--threads") o->threads = static_cast<unsigned>(std::stoul(val()));
    else if (a == "--producers") o->producers = static_cast<unsigned>(std::stoul(val()));
    else if (a == "--baseline-seconds") o->baseline_seconds = std::stod(val());
    else if (a == "--assess-runs") o->assess_runs = std::stoi(val());
    else if (a == "--prove-runs") o->prove_runs = std::stoi(val());
    else if (a == "--proofs") o->proofs = std::stoi(val());
    else if (a == "--keep") o->keep = true;
    else if (a == "--generate-only") o->profile_only = true;
    else rest.push_back(a);
  }
  return rest;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  auto rest = ParseArgs(argc, argv, &o);
  if (!rest.empty() || o.bin.empty() || o.work.empty() || o.policy.empty()) {
    std::cerr << "usage: rl_bench --bin build-bench/bin/rareledger --work DIR --policy FILE\n"
                 "                [--entries N] [--threads T] [--producers P] [--baseline-seconds S]\n"
                 "                [--assess-runs K] [--prove-runs K] [--proofs K] [--keep] [--generate-only]\n";
    return 2;
  }
  if (o.entries < 2000) Die("--entries must be at least 2000");
  o.threads = Cores(o.threads);
  o.bin = fs::absolute(o.bin).string();
  fs::create_directories(o.work);
  const std::string big = o.work + "/big.db", cone_db = o.work + "/cone.db",
                    k1_db = o.work + "/k1.db";
  const std::string big_file = o.work + "/big.jsonl", cone_file = o.work + "/cone.jsonl",
                    k1_file = o.work + "/k1.jsonl";

  std::cout << "rl_bench: N = " << o.entries << " entries, " << o.threads << " threads, "
            << o.producers << " producers\n"
            << "machine: " << std::thread::hardware_concurrency() << " cpus, " << CpuModel()
            << "; load " << LoadAverage() << "\n";

  // 1. L
  double L0 = MeasureL(o.threads, o.baseline_seconds);
  double L0cpu = g_last_cpu_rate;
  double L1 = MeasureL(1, o.baseline_seconds / 2);
  std::cout << "[1] Ed25519 verify (Verifier, pre-parsed keys, ~300 B): " << Fmt(L0, 0)
            << "/s on " << o.threads << " threads (" << Fmt(L1, 0) << "/s on 1); "
            << Fmt(L0cpu, 0) << " per CPU-second\n";

  // 2. Generate
  double tg = Now();
  uint64_t lines = GenerateBig(o, big_file, o.threads);
  uint64_t cone_lines = GenerateCone(cone_file);
  uint64_t k1_lines = CopyLines(big_file, k1_file, 999);
  std::cout << "[2] generated " << lines << " signed envelopes (+ entry 0 from init) in "
            << Fmt(Now() - tg, 1) << " s; cone file " << cone_lines << " lines; 1k prefix "
            << k1_lines << " lines\n";
  InitLedger(big);
  InitLedger(cone_db);
  InitLedger(k1_db);
  if (o.profile_only) {
    std::cout << "generate-only: ledger initialised at " << big << "; ingest with\n  " << o.bin
              << " --db " << big << " submit " << big_file << " --quiet\n";
    return 0;
  }

  // 3. Ingest
  std::cout << "    load before ingest: " << LoadAverage() << std::endl;
  double L_ingest = MeasureL(o.threads, o.baseline_seconds);
  double Lcpu_ingest = g_last_cpu_rate;
  ChildResult ing = SubmitOrDie(o, big, big_file);
  double ingest_rate = static_cast<double>(lines) / ing.wall_s;
  std::cout << "[3] submit: " << lines << " entries in " << Fmt(ing.wall_s, 1) << " s = "
            << Fmt(ingest_rate, 0) << "/s (L before: " << Fmt(L_ingest, 0) << "/s); user "
            << Fmt(ing.user_s, 1) << " s, sys " << Fmt(ing.sys_s, 1) << " s, peak RSS "
            << Fmt(static_cast<double>(ing.max_rss_kib) / 1024, 1) << " MiB; load "
            << LoadAverage() << "\n";
  if (!ing.out.empty()) std::cout << "    submit said: " << ing.out.substr(0, 300);
  if (!ing.out.empty() && ing.out.back() != '\n') std::cout << "\n";
  {
    auto l = Must(ledger::Ledger::Open(big, true), "open big");
    Must(l->IssueCheckpoint(SeededSigner("operator")), "checkpoint");
  }

  // 4. Verify. L is measured on both sides of each run and averaged, so a
  // change of load during the run moves L with the run.
  double L_between = MeasureL(o.threads, o.baseline_seconds);
  double Lcpu_between = g_last_cpu_rate;
  ChildResult ver = Rareledger(o, big, {"verify"});
  if (ver.exit_code != 0) Die("verify failed: " + ver.err);
  double L_after = MeasureL(o.threads, o.baseline_seconds);
  double Lcpu_after = g_last_cpu_rate;
  std::cout << "    L before ingest / between / after verify: " << Fmt(L_ingest, 0) << " / "
            << Fmt(L_between, 0) << " / " << Fmt(L_after, 0) << " per s; per CPU-second "
            << Fmt(Lcpu_ingest, 0) << " / " << Fmt(Lcpu_between, 0) << " / "
            << Fmt(Lcpu_after, 0) << "\n";
  L_ingest = (L_ingest + L_between) / 2;
  Lcpu_ingest = (Lcpu_ingest + Lcpu_between) / 2;
  double L_verify = (L_between + L_after) / 2;
  double Lcpu_verify = (Lcpu_between + Lcpu_after) / 2;
  double verify_rate = static_cast<double>(lines + 1) / ver.wall_s;
  std::cout << "[4] verify: " << lines + 1 << " entries in " << Fmt(ver.wall_s, 1) << " s = "
            << Fmt(verify_rate, 0) << "/s (L before/after mean: " << Fmt(L_verify, 0) << "/s); user "
            << Fmt(ver.user_s, 1) << " s, sys " << Fmt(ver.sys_s, 1) << " s, peak RSS "
            << Fmt(static_cast<double>(ver.max_rss_kib) / 1024, 1) << " MiB; load "
            << LoadAverage() << "\n";

  // 4b. verify-bundle: the same replay from an exported bundle, no
  // database. The export is not measured; L is taken after it, around the
  // verify-bundle run, as for verify.
  const std::string bundle_dir = o.work + "/bundle";
  ChildResult exported = Rareledger(o, big, {"export", bundle_dir, "--quiet"});
  if (exported.exit_code != 0) Die("export failed: " + exported.err);
  double L_before_bundle = MeasureL(o.threads, o.baseline_seconds);
  double Lcpu_before_bundle = g_last_cpu_rate;
  ChildResult vb = Rareledger(o, big, {"verify-bundle", bundle_dir});
  if (vb.exit_code != 0) Die("verify-bundle failed: " + vb.err);
  double L_after_bundle = MeasureL(o.threads, o.baseline_seconds);
  double L_bundle = (L_before_bundle + L_after_bundle) / 2;
  double Lcpu_bundle = (Lcpu_before_bundle + g_last_cpu_rate) / 2;
  double bundle_rate = static_cast<double>(lines + 1) / vb.wall_s;
  std::cout << "[4b] verify-bundle: " << lines + 1 << " entries in " << Fmt(vb.wall_s, 1)
            << " s = " << Fmt(bundle_rate, 0) << "/s (L mean " << Fmt(L_bundle, 0)
            << "/s); user " << Fmt(vb.user_s, 1) << " s, peak RSS "
            << Fmt(static_cast<double>(vb.max_rss_kib) / 1024, 1) << " MiB\n";
  fs::remove_all(bundle_dir);

  // 7. Disk (all handles closed): bytes on disk vs canonical leaf bytes.
  DiskUsage du = DirUsage(big);
  auto kinds = FileKinds(big);
  auto cf_sizes = ColumnFamilySizes(big);
  uint64_t leaf_bytes = 0, entries_in_store = 0;
  {
    auto l = Must(ledger::Ledger::Open(big, false), "open big");
    entries_in_store = l->Info().size;
    MustOk(l->ScanLeaves(0, entries_in_store,
                                  [&](uint64_t, std::string_view leaf) {
                                    leaf_bytes += leaf.size();
                                    return ledger::Status::Ok();
                                  }),
           "scan");
  }
  double disk_ratio = static_cast<double>(du.apparent) / static_cast<double>(leaf_bytes);
  std::cout << "[7] disk: " << du.apparent << " bytes (" << Mib(du.apparent) << ", allocated "
            << Mib(du.allocated) << ", " << du.files << " files) for " << entries_in_store
            << " entries, leaf bytes " << leaf_bytes << " (" << Mib(leaf_bytes) << ", "
            << Fmt(static_cast<double>(leaf_bytes) / static_cast<double>(entries_in_store), 1)
            << " B/entry)\n    by file kind:";
  for (const auto& [k, v] : kinds) std::cout << " " << k << " " << Mib(v);
  std::cout << "\n    SST bytes by column family:";
  for (const auto& [k, v] : cf_sizes) std::cout << " " << k << " " << Mib(v);
  std::cout << "\n";

  // 5. Assess: the cone alone vs inside the big ledger.
  SubmitOrDie(o, cone_db, cone_file);
  std::vector<double> t_big, t_small;
  std::string out_big, out_small;
  for (int i = 0; i < o.assess_runs; ++i) {
    for (int which = 0; which < 2; ++which) {
      const std::string& db = which ? big : cone_db;
      ChildResult r = Rareledger(o, db, {"assess", kConeProduct, "--policy", o.policy,
                                         "--as-of", "2026-12-01", "--format", "json"});
      if (r.exit_code != 0) Die("assess failed: " + r.err);
      (which ? t_big : t_small).push_back(r.wall_s);
      (which ? out_big : out_small) = r.out;
    }
  }
  // Same determination; only entry indexes (findings, reasons) and the
  // binding to the log it was read from (size, root, checkpoint) differ.
  auto normalise = [](const std::string& text) {
    json j = json::parse(text);
    for (auto& f : j["technology_findings"]) f.erase("index");
    for (auto& r : j["rules"]) r.erase("reason");
    for (const char* k : {"size", "root", "checkpoint"}) j.erase(k);
    return j.dump();
  };
  if (normalise(out_big) != normalise(out_small))
    Die("assess determination differs between the big and the cone ledger:\n" + out_big +
        "\n" + out_small);
  double a_big = Median(t_big), a_small = Median(t_small);
  graph::Policy policy = Must(graph::LoadPolicy(o.policy), "policy");
  auto inproc = [&](const std::string& db, double* open_s, double* first_s) {
    double t0 = Now();
    auto l = Must(ledger::Ledger::Open(db, false), "open " + db);
    *open_s = Now() - t0;
    graph::LedgerSource src(*l);
    std::vector<double> ts;
    for (int i = 0; i < o.assess_inproc_runs; ++i) {
      double a = Now();
      auto r = graph::Assess(src, policy, kConeProduct, "2026-12-01");
      double b = Now() - a;
      if (!r.ok()) Die("in-process assess: " + r.status().ToString());
      if (i == 0) *first_s = b;
      ts.push_back(b);
    }
    return Median(ts);
  };
  double open_big = 0, open_small = 0, first_big = 0, first_small = 0;
  double ip_big = inproc(big, &open_big, &first_big);
  double ip_small = inproc(cone_db, &open_small, &first_small);
  std::cout << "[5] assess " << kConeProduct << " (binary, median of " << o.assess_runs
            << "): big " << Fmt(a_big * 1e3, 1) << " ms, cone alone " << Fmt(a_small * 1e3, 1)
            << " ms; identical JSON output\n    in-process graph::Assess + LedgerSource (median of "
            << o.assess_inproc_runs << "): big " << Fmt(ip_big * 1e6, 0) << " us, cone alone "
            << Fmt(ip_small * 1e6, 0) << " us; first call " << Fmt(first_big * 1e6, 0) << " / "
            << Fmt(first_small * 1e6, 0) << " us; Ledger::Open " << Fmt(open_big * 1e3, 1)
            << " / " << Fmt(open_small * 1e3, 1) << " ms\n";

  // 6. Inclusion proofs at N vs at 1k entries.
  SubmitOrDie(o, k1_db, k1_file);
  auto prove = [&](const std::string& db, uint64_t* size_out) {
    auto l = Must(ledger::Ledger::Open(db, false), "open " + db);
    uint64_t size = l->Info().size;
    *size_out = size;
    std::mt19937_64 rng(7);
    std::vector<double> ts;
    size_t path_len = 0;
    for (int i = 0; i < o.proofs + 100; ++i) {
      uint64_t idx = rng() % size;
      double a = Now();
      auto p = l->ProveInclusion(idx, std::nullopt);
      double b = Now() - a;
      if (!p.ok()) Die("prove: " + p.status().ToString());
      path_len = p->path.size();
      if (i >= 100) ts.push_back(b);  // the first 100 warm the handle up
    }
    // Where the time goes: the three reads ProveInclusion makes, each timed
    // alone through the public store and merkle functions.
    std::vector<double> t_leaf, t_path, t_root;
    auto store = Must(ledger::Store::Open(db, ledger::Store::Mode::kReadOnly), "open store");
    const ledger::Store& st = *store;
    for (int i = 0; i < o.proofs; ++i) {
      uint64_t idx = rng() % size;
      double a = Now();
      auto leaf = st.GetLeaf(idx);
      double b = Now();
      auto path = ledger::InclusionProof(st, idx, size);
      double c = Now();
      auto root = ledger::RootAt(st, size);
      double d = Now();
      if (!leaf.ok() || !path.ok() || !root.ok()) Die("proof parts failed");
      t_leaf.push_back(b - a);
      t_path.push_back(c - b);
      t_root.push_back(d - c);
    }
    std::cout << "    " << db << ": size " << size << ", path " << path_len << " hashes, median "
              << Fmt(Median(ts) * 1e6, 1) << " us, p90 " << Fmt(Percentile(ts, 0.9) * 1e6, 1)
              << " us; parts (median): GetLeaf " << Fmt(Median(t_leaf) * 1e6, 1)
              << " us, InclusionProof " << Fmt(Median(t_path) * 1e6, 1) << " us, RootAt "
              << Fmt(Median(t_root) * 1e6, 1) << " us (popcount(size) = "
              << __builtin_popcountll(size) << " nodes)\n";
    return Median(ts);
  };
  std::cout << "[6] prove inclusion, in-process Ledger::ProveInclusion, " << o.proofs
            << " random indexes each:\n";
  uint64_t size_big = 0, size_k1 = 0;
  double p_big = prove(big, &size_big);
  double p_k1 = prove(k1_db, &size_k1);
  // The command itself, as a user or a regulator's script runs it: one
  // process per proof (open, read, print), random indexes, alternating.
  std::vector<double> pb_big, pb_k1;
  {
    std::mt19937_64 rng(11);
    for (int i = 0; i < o.prove_runs; ++i) {
      for (int which = 0; which < 2; ++which) {
        const uint64_t size = which ? size_big : size_k1;
        const std::string idx = std::to_string(rng() % size);
        ChildResult r = Rareledger(o, which ? big : k1_db, {"prove", "inclusion", "--index", idx});
        if (r.exit_code != 0) Die("prove inclusion failed: " + r.err);
        if (json::parse(r.out).at("index").get<uint64_t>() != std::stoull(idx))
          Die("prove inclusion printed another index");
        (which ? pb_big : pb_k1).push_back(r.wall_s);
      }
    }
  }
  const double pbin_big = Median(pb_big), pbin_k1 = Median(pb_k1);
  std::cout << "    binary `rareledger prove inclusion --index I` (median of " << o.prove_runs
            << "): " << size_big << " entries " << Fmt(pbin_big * 1e3, 2) << " ms, " << size_k1
            << " entries " << Fmt(pbin_k1 * 1e3, 2) << " ms\n";

  // Table
  auto verdict = [](bool met) { return std::string(met ? "met" : "MISSED"); };
  std::vector<Row> rows;
  rows.push_back({"Ed25519 verify, all cores (L at ingest / verify)",
                  Fmt(L_ingest, 0) + " / " + Fmt(L_verify, 0) + " /s", "", "", ""});
  rows.push_back({"Ed25519 verify per CPU-second (at ingest / verify)",
                  Fmt(Lcpu_ingest, 0) + " / " + Fmt(Lcpu_verify, 0), "", "", ""});
  rows.push_back({"bulk submit " + std::to_string(lines) + " entries",
                  Fmt(ingest_rate, 0) + " /s", Fmt(ingest_rate / L_ingest, 3), ">= 0.9",
                  verdict(ingest_rate / L_ingest >= 0.9)});
  double ing_cpu = static_cast<double>(lines) / (ing.user_s + ing.sys_s);
  rows.push_back({"  same, per CPU-second (vs verifies per CPU-second)",
                  Fmt(ing_cpu, 0) + " / " + Fmt(Lcpu_ingest, 0), Fmt(ing_cpu / Lcpu_ingest, 3),
                  "(info)", ""});
  rows.push_back({"peak RSS of that submit", Fmt(static_cast<double>(ing.max_rss_kib) / 1024, 1) + " MiB",
                  Fmt(static_cast<double>(ing.max_rss_kib) / (256.0 * 1024), 3) + " of 256",
                  "< 256 MiB", verdict(ing.max_rss_kib < 256 * 1024)});
  rows.push_back({"full verify " + std::to_string(lines + 1) + " entries",
                  Fmt(verify_rate, 0) + " /s", Fmt(verify_rate / L_verify, 3), ">= 0.95",
                  verdict(verify_rate / L_verify >= 0.95)});
  double ver_cpu = static_cast<double>(lines + 1) / (ver.user_s + ver.sys_s);
  rows.push_back({"  same, per CPU-second (vs verifies per CPU-second)",
                  Fmt(ver_cpu, 0) + " / " + Fmt(Lcpu_verify, 0), Fmt(ver_cpu / Lcpu_verify, 3),
                  "(info)", ""});
  rows.push_back({"peak RSS of that verify", Fmt(static_cast<double>(ver.max_rss_kib) / 1024, 1) + " MiB",
                  Fmt(static_cast<double>(ver.max_rss_kib) / (256.0 * 1024), 3) + " of 256",
                  "< 256 MiB", verdict(ver.max_rss_kib < 256 * 1024)});
  rows.push_back({"verify-bundle " + std::to_string(lines + 1) + " entries",
                  Fmt(bundle_rate, 0) + " /s", Fmt(bundle_rate / L_bundle, 3), ">= 0.95",
                  verdict(bundle_rate / L_bundle >= 0.95)});
  double vb_cpu = static_cast<double>(lines + 1) / (vb.user_s + vb.sys_s);
  rows.push_back({"  same, per CPU-second (vs verifies per CPU-second)",
                  Fmt(vb_cpu, 0) + " / " + Fmt(Lcpu_bundle, 0), Fmt(vb_cpu / Lcpu_bundle, 3),
                  "(info)", ""});
  rows.push_back({"assess (binary, median): big vs cone alone",
                  Fmt(a_big * 1e3, 1) + " / " + Fmt(a_small * 1e3, 1) + " ms",
                  Fmt(a_big / a_small, 3), "<= 1.2", verdict(a_big / a_small <= 1.2)});
  rows.push_back({"assess (in-process, median): big vs cone alone",
                  Fmt(ip_big * 1e6, 0) + " / " + Fmt(ip_small * 1e6, 0) + " us",
                  Fmt(ip_big / ip_small, 3), "<= 1.2", verdict(ip_big / ip_small <= 1.2)});
  rows.push_back({"prove inclusion (binary, median): " + std::to_string(size_big) + " vs " +
                      std::to_string(size_k1),
                  Fmt(pbin_big * 1e3, 2) + " / " + Fmt(pbin_k1 * 1e3, 2) + " ms",
                  Fmt(pbin_big / pbin_k1, 3), "<= 1.5", verdict(pbin_big / pbin_k1 <= 1.5)});
  rows.push_back({"  same, in-process ProveInclusion (median)",
                  Fmt(p_big * 1e6, 1) + " / " + Fmt(p_k1 * 1e6, 1) + " us",
                  Fmt(p_big / p_k1, 3), "(info)", ""});
  rows.push_back({"disk bytes / leaf bytes", Mib(du.apparent) + " / " + Mib(leaf_bytes),
                  Fmt(disk_ratio, 3), "<= 1.5", verdict(disk_ratio <= 1.5)});
  std::cout << "\n";
  PrintTable(rows);
  std::cout << "load at end: " << LoadAverage() << "\n";

  if (!o.keep) {
    fs::remove_all(big);
    fs::remove_all(cone_db);
    fs::remove_all(k1_db);
    fs::remove(big_file);
    fs::remove(cone_file);
    fs::remove(k1_file);
  }
  return 0;
}
