// rareledger: the command table and dispatch. CLI11 is included here only
// (it is expensive to compile); every handler lives in its own file.
//
// Each command is one row: its path ("lot create"), its help, the ledger
// access it needs (the table opens the ledger, and closes it on every exit
// path), the options it adds, and its handler.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <set>

#include "cli/cli.h"
#include "ledger/version.h"
#include "ledger/vocabulary.h"

namespace rareledger::cli {
namespace {

constexpr const char* kCategories =
    "re_ore, re_concentrate, re_oxide, re_metal, re_alloy, re_magnet, re_target, component, "
    "product, other";
constexpr const char* kProcesses =
    "mining, separation, metal_smelting, alloying, magnet_manufacturing, recycling, "
    "component_manufacturing, assembly, other";
constexpr const char* kRoles = "producer, processor, manufacturer, auditor, regulator";

std::string DefaultDb() {
  const char* env = std::getenv("RARELEDGER_DB");
  return env != nullptr && *env != '\0' ? env : "./rareledger.db";
}

// Every option a command can take, alive for the whole run.
struct Options {
  InitOptions init;
  SignOptions sign;
  std::string keygen_out, input = "-", dir, id, reason, new_pubkey, lot, to, policy_dir;
  Signing signing;
  PartyAddOptions party_add;
  LotCreateOptions lot_create;
  LotCorrectOptions lot_correct;
  LotListOptions lot_list;
  std::optional<int64_t> value;
  std::vector<std::string> parts;
  TransformOptions transform;
  AttestOptions attest;
  uint64_t index = 0, from = 0, old_size = 0;
  std::optional<uint64_t> limit, size, new_size;
  CheckpointOptions checkpoint;
  VerifyBundleOptions verify_bundle;
  VerifyProofOptions verify_proof;
  TraceOptions trace;
  bool up = false;
  AssessOptions assess;
  ServeOptions serve;
  WitnessOptions witness;
  RemoteVerifyOptions remote;
  MirrorOptions mirror;
  std::string format;  // --format text|json on read commands: --json's twin
  EpcisImportOptions epcis_import;
  EpcisExportOptions epcis_export;
  NoticeOptions notice;
  VerifyNoticeOptions verify_notice;
};

struct Command {
  std::string path;  // words below `rareledger`
  std::string help;
  std::function<Access()> access;
  std::function<void(CLI::App*)> options;
  std::function<int(Context&)> run;
};

std::function<Access()> Fixed(Access a) {
  return [a] { return a; };
}

// --json and its twin --format json, for the read commands.
void JsonFlags(CLI::App* cmd, Globals* g, std::string* format) {
  cmd->add_flag("--json", g->json, "JSON output (same as --format json)");
  cmd->add_option("--format", *format, "text or json (same as --json)")
      ->check(CLI::IsMember({"text", "json"}));
}

void SigningOptions(CLI::App* cmd, Signing* s, Globals* g) {
  cmd->add_option("--server", g->server, "submit to this rareledger server (http://HOST:PORT) instead of --db");
  cmd->add_option("--key", s->key, "the signer's private key (PKCS#8 PEM)")->required();
  cmd->add_option("--party", s->party, "signer party id (default: the party holding --key)");
  cmd->add_option("--time", s->time, "payload time, RFC 3339 UTC (default: now)");
  cmd->add_flag("--print", s->print, "print the signed envelope instead of submitting it");
}

// The witness requirement of the verifying commands.
void WitnessFlags(CLI::App* cmd, Globals* g) {
  cmd->add_option("--witness-vkey", g->witness_vkeys,
                  "a witness's cosignature verifier key (type 0x04), repeatable");
  cmd->add_option("--witness-quorum", g->witness_quorum,
                  "valid cosignatures needed from those keys (default: all of them)");
}

// Shortcuts write, unless they only print or go to a server.
std::function<Access()> ShortcutAccess(const Signing* s, const Globals* g) {
  return [s, g] {
    if (!g->server.empty()) return Access::kNone;
    return s->print ? Access::kRead : Access::kWrite;
  };
}

std::vector<Command> Table(Options& o, Context& c) {
  Globals& g = c.g;
  Signing& sig = o.signing;
  // Captures pointers by value: the rows outlive this function's locals.
  const auto json_flags = [gp = &c.g, fp = &o.format](CLI::App* cmd) { JsonFlags(cmd, gp, fp); };
  return {
      {"init", "create a ledger: entry 0 registers the operator", Fixed(Access::kNone),
       [&](CLI::App* cmd) {
         cmd->add_option("--ledger-id", o.init.ledger_id, "ledger id, also the checkpoint origin (no spaces, no '+')")->required();
         cmd->add_option("--operator-key", o.init.operator_key, "operator private key (PEM)")->required();
         cmd->add_option("--currency", o.init.currency, "ISO 4217 currency of every value")->capture_default_str();
         cmd->add_option("--country", o.init.country, "operator's country (ISO 3166-1 alpha-2; ZZ: none)")->capture_default_str();
       },
       [&](Context& ctx) { return CmdInit(ctx, o.init); }},
      {"status", "ledger id, currency, size and root", Fixed(Access::kRead), json_flags,
       [&](Context& ctx) { return CmdStatus(ctx); }},
      {"keygen", "write NAME.key (PKCS#8, mode 0600) and NAME.pub (SPKI)", Fixed(Access::kNone),
       [&](CLI::App* cmd) { cmd->add_option("--out", o.keygen_out, "file stem NAME")->required(); },
       [&](Context&) { return CmdKeygen(o.keygen_out); }},
      {"sign", "canonicalise payloads (one, or JSON Lines) and print the signed envelopes",
       Fixed(Access::kNone),
       [&](CLI::App* cmd) {
         cmd->add_option("--key", o.sign.key, "private key (PEM)")->required();
         cmd->add_option("--party", o.sign.party, "party to fill in (default: the party holding --key)");
         cmd->add_option("--time", o.sign.time, "time to fill in, RFC 3339 UTC (default: now)");
         cmd->add_option("input", o.sign.input, "payload JSON file, or - for stdin");
         cmd->add_option("--server", c.g.server, "fill ledger, party and seq from this server");
       },
       [&](Context& ctx) { return CmdSign(ctx, o.sign); }},
      {"submit", "append envelopes (one, or JSON Lines) in order",
       [gp = &c.g] { return gp->server.empty() ? Access::kWrite : Access::kNone; },
       [&](CLI::App* cmd) {
         cmd->add_option("--server", c.g.server, "submit to this rareledger server instead of --db");
         cmd->add_option("input", o.input, "envelope file (JSON or JSON Lines), or - for stdin");
         cmd->add_flag("--quiet", g.quiet, "print only the summary");
         JsonFlags(cmd, &c.g, &o.format);
       },
       [&](Context& ctx) { return CmdSubmit(ctx, o.input); }},
      {"party add", "register a party (signed by the operator)", ShortcutAccess(&sig, &c.g),
       [&](CLI::App* cmd) {
         SigningOptions(cmd, &sig, &c.g);
         cmd->add_option("--id", o.party_add.id, "party id: letters, digits, '.', '_', '-'")->required();
         cmd->add_option("--name", o.party_add.name, "registered company name")->required();
         cmd->add_option("--country", o.party_add.country, "ISO 3166-1 alpha-2 country")->required();
         cmd->add_option("--roles", o.party_add.roles, std::string("comma-separated: ") + kRoles)
             ->required()->delimiter(',');
         cmd->add_option("--pubkey", o.party_add.pubkey, "the party's public key: PEM file or base64")->required();
         cmd->add_option("--gln", o.party_add.gln, "GS1 Global Location Number (13 digits, unique)");
       },
       [&](Context& ctx) { return CmdPartyAdd(ctx, sig, o.party_add); }},
      {"party revoke", "revoke a party (signed by the operator)", ShortcutAccess(&sig, &c.g),
       [&](CLI::App* cmd) {
         SigningOptions(cmd, &sig, &c.g);
         cmd->add_option("--id", o.id, "party to revoke")->required();
         cmd->add_option("--reason", o.reason, "why, in words")->required();
       },
       [&](Context& ctx) { return CmdPartyRevoke(ctx, sig, o.id, o.reason); }},
      {"party list", "every party, with roles and state", Fixed(Access::kRead), json_flags,
       [&](Context& ctx) { return CmdPartyList(ctx); }},
      {"key rotate", "replace the signer's key (signed with the current key)", ShortcutAccess(&sig, &c.g),
       [&](CLI::App* cmd) {
         SigningOptions(cmd, &sig, &c.g);
         cmd->add_option("--new-pubkey", o.new_pubkey, "the new public key: PEM file or base64")->required();
       },
       [&](Context& ctx) { return CmdKeyRotate(ctx, sig, o.new_pubkey); }},
      {"lot create", "create a lot (the signer becomes its holder)", ShortcutAccess(&sig, &c.g),
       [&](CLI::App* cmd) {
         SigningOptions(cmd, &sig, &c.g);
         auto& l = o.lot_create;
         cmd->add_option("--lot", l.lot, "new lot id")->required();
         cmd->add_option("--material", l.material, "what it is, in words")->required();
         cmd->add_option("--category", l.category, std::string("one of: ") + kCategories)->required();
         cmd->add_option("--mass-g", l.mass_g, "mass in whole grams")->required();
         cmd->add_option("--value", l.value, "value in minor units of the ledger currency (cents)")->required();
         cmd->add_option("--origin", l.origin, "ISO 3166-1 alpha-2 country where it was produced")->required();
         cmd->add_option("--element", l.elements, "SYMBOL=GRAMS contained, repeatable (e.g. Dy=870)");
         cmd->add_option("--hs", l.hs, "HS code");
       },
       [&](Context& ctx) { return CmdLotCreate(ctx, sig, o.lot_create); }},
      {"lot correct", "correct a lot's material, category, elements or hs (signed by its creator)",
       ShortcutAccess(&sig, &c.g),
       [&](CLI::App* cmd) {
         SigningOptions(cmd, &sig, &c.g);
         auto& k = o.lot_correct;
         cmd->add_option("--lot", k.lot, "lot to correct (the signer created it)")->required();
         cmd->add_option("--material", k.material, "the corrected material");
         cmd->add_option("--category", k.category, std::string("the corrected category: ") + kCategories);
         cmd->add_option("--element", k.elements, "SYMBOL=GRAMS, repeatable: the corrected elements (all of them)");
         cmd->add_option("--hs", k.hs, "the corrected HS code");
         cmd->add_option("--reason", k.reason, "why the lot is corrected")->required();
       },
       [&](Context& ctx) { return CmdLotCorrect(ctx, sig, o.lot_correct); }},
      {"lot list", "lots, optionally of one holder or category", Fixed(Access::kRead),
       [&](CLI::App* cmd) {
         cmd->add_option("--holder", o.lot_list.holder, "only lots this party holds");
         cmd->add_option("--category", o.lot_list.category, std::string("only this category: ") + kCategories);
         JsonFlags(cmd, &c.g, &o.format);
       },
       [&](Context& ctx) { return CmdLotList(ctx, o.lot_list); }},
      {"transfer", "move what remains of a lot to another party", ShortcutAccess(&sig, &c.g),
       [&](CLI::App* cmd) {
         SigningOptions(cmd, &sig, &c.g);
         cmd->add_option("--lot", o.lot, "lot to transfer (the signer holds it)")->required();
         cmd->add_option("--to", o.to, "receiving party id")->required();
         cmd->add_option("--value", o.value, "price paid for what remains, minor units (becomes its declared value)");
       },
       [&](Context& ctx) { return CmdTransfer(ctx, sig, o.lot, o.to, o.value); }},
      {"split", "split parts off a lot (they keep its origin and content per gram)",
       ShortcutAccess(&sig, &c.g),
       [&](CLI::App* cmd) {
         SigningOptions(cmd, &sig, &c.g);
         cmd->add_option("--lot", o.lot, "lot to split (the signer holds it)")->required();
         cmd->add_option("--part", o.parts, "NEWLOT=MASS_G, repeatable")->required();
       },
       [&](Context& ctx) { return CmdSplit(ctx, sig, o.lot, o.parts); }},
      {"transform", "consume input lots, make output lots", ShortcutAccess(&sig, &c.g),
       [&](CLI::App* cmd) {
         SigningOptions(cmd, &sig, &c.g);
         auto& t = o.transform;
         cmd->add_option("--process", t.process, std::string("one of: ") + kProcesses)->required();
         cmd->add_option("--facility-country", t.facility_country, "ISO 3166-1 alpha-2 country of the plant")->required();
         cmd->add_option("--technology-origin", t.technology_origin, "country whose process technology the line uses");
         cmd->add_option("--input", t.inputs, "LOT=MASS_G consumed, repeatable")->required();
         cmd->add_option("--output", t.outputs,
                         std::string("JSON object {lot, material, category, mass_g, value, elements?}, repeatable; categories: ") + kCategories)
             ->required();
         cmd->add_option("--allocation", t.allocation, "OUTPUT_LOT=n/d share of the incoming content, repeatable");
       },
       [&](Context& ctx) { return CmdTransform(ctx, sig, o.transform); }},
      {"attest", "an auditor's claim about a lot or an entry", ShortcutAccess(&sig, &c.g),
       [&](CLI::App* cmd) {
         SigningOptions(cmd, &sig, &c.g);
         cmd->add_option("--lot", o.attest.lot, "the lot the claim is about");
         cmd->add_option("--entry", o.attest.entry, "or the entry index it is about");
         cmd->add_option("--claim", o.attest.claim, "the claim, in words")->required();
         cmd->add_option("--detail", o.attest.detail, "more detail");
       },
       [&](Context& ctx) { return CmdAttest(ctx, sig, o.attest); }},
      {"show lot", "a lot's current record", Fixed(Access::kRead),
       [&](CLI::App* cmd) {
         cmd->add_option("id", o.id, "lot id")->required();
         JsonFlags(cmd, &c.g, &o.format);
       },
       [&](Context& ctx) { return CmdShowLot(ctx, o.id); }},
      {"show entry", "an entry by index", Fixed(Access::kRead),
       [&](CLI::App* cmd) {
         cmd->add_option("index", o.index, "log index")->required();
         JsonFlags(cmd, &c.g, &o.format);
       },
       [&](Context& ctx) { return CmdShowEntry(ctx, o.index); }},
      {"show party", "a party's record", Fixed(Access::kRead),
       [&](CLI::App* cmd) {
         cmd->add_option("id", o.id, "party id")->required();
         JsonFlags(cmd, &c.g, &o.format);
       },
       [&](Context& ctx) { return CmdShowParty(ctx, o.id); }},
      {"log", "list entries", Fixed(Access::kRead),
       [&](CLI::App* cmd) {
         cmd->add_option("--from", o.from, "first index (default 0)");
         cmd->add_option("--limit", o.limit, "at most this many entries");
         JsonFlags(cmd, &c.g, &o.format);
       },
       [&](Context& ctx) { return CmdLog(ctx, o.from, o.limit); }},
      {"checkpoint", "sign and record a checkpoint, or --list them",
       [&] { return o.checkpoint.list || o.checkpoint.vkey ? Access::kRead : Access::kWrite; },
       [&](CLI::App* cmd) {
         cmd->add_option("--operator-key", o.checkpoint.operator_key, "operator private key (PEM)");
         cmd->add_flag("--list", o.checkpoint.list, "print every checkpoint issued");
         cmd->add_flag("--vkey", o.checkpoint.vkey,
                       "print the operator's current verifier key (NAME+HEX8+BASE64), sign nothing");
         JsonFlags(cmd, &c.g, &o.format);
       },
       [&](Context& ctx) { return CmdCheckpoint(ctx, o.checkpoint); }},
      {"prove inclusion", "RFC 9162 inclusion proof of an entry", Fixed(Access::kRead),
       [&](CLI::App* cmd) {
         cmd->add_option("--index", o.index, "entry index")->required();
         cmd->add_option("--size", o.size, "tree size (default: the log's; use a checkpoint's size)");
       },
       [&](Context& ctx) { return CmdProveInclusion(ctx, o.index, o.size); }},
      {"prove consistency", "RFC 9162 consistency proof between two sizes", Fixed(Access::kRead),
       [&](CLI::App* cmd) {
         cmd->add_option("--old", o.old_size, "the older tree size")->required();
         cmd->add_option("--new", o.new_size, "the newer tree size (default: the log's)");
       },
       [&](Context& ctx) { return CmdProveConsistency(ctx, o.old_size, o.new_size); }},
      {"verify", "re-check every signature, rule, seq, checkpoint and stored row",
       Fixed(Access::kNone),  // CmdVerify opens it: a failed open is a JSON failure too
       [&](CLI::App* cmd) {
         cmd->add_flag("--quiet", g.quiet, "no progress line");
         cmd->add_option("--server", c.g.server,
                         "verify a server's log from its tiles and bundles, with no database");
         cmd->add_option("--operator-key", o.remote.operator_key,
                         "with --server: the trusted operator public key (PEM)");
         cmd->add_option("--vkey", o.remote.vkey,
                         "with --server: the trusted operator verifier key (or a file holding it)");
         WitnessFlags(cmd, &c.g);
         JsonFlags(cmd, &c.g, &o.format);
       },
       [&](Context& ctx) {
         if (!ctx.g.server.empty()) return CmdVerifyServer(ctx, o.remote);
         if (!o.remote.operator_key.empty() || !o.remote.vkey.empty())
           return UsageError("verify: --operator-key and --vkey go with --server");
         return CmdVerify(ctx);
       }},
      {"serve", "run the ledger as an HTTP service (writes, JSON reads, C2SP tlog-tiles)",
       Fixed(Access::kNone),  // CmdServe opens it for writing after its checks
       [&](CLI::App* cmd) {
         ServeOptions& v = o.serve;
         cmd->add_option("--operator-key", v.operator_key, "operator private key (PEM, mode 0600)")->required();
         cmd->add_option("--listen", v.listen, "HOST:PORT to listen on (port 0: any)")->capture_default_str();
         cmd->add_option("--policies", v.policies, "directory of the policies to serve (default: the shipped ones)");
         cmd->add_option("--checkpoint-every", v.checkpoint_every,
                         "sign a checkpoint at most this often when the log grew (seconds, e.g. 0.5)")
             ->capture_default_str();
         cmd->add_option("--threads", v.threads, "I/O threads")->capture_default_str();
         cmd->add_option("--max-body", v.max_body_bytes, "largest request body in bytes")->capture_default_str();
         cmd->add_option("--header-timeout", v.header_timeout,
                         "seconds to receive a request's headers (also the keep-alive idle time)")
             ->capture_default_str();
         cmd->add_option("--body-timeout", v.body_timeout, "seconds to receive a body")->capture_default_str();
         cmd->add_option("--write-timeout", v.write_timeout,
                         "seconds for a client to take a response")->capture_default_str();
         cmd->add_option("--max-connections", v.max_connections, "open connections at most")->capture_default_str();
         cmd->add_option("--witness", v.witnesses,
                         "NAME=URL=VKEY: a witness to ask for cosignatures (repeatable)");
         cmd->add_option("--witness-quorum", v.witness_quorum,
                         "cosignatures a served checkpoint needs (default: every --witness)");
       },
       [&](Context& ctx) { return CmdServe(ctx, o.serve); }},
      {"witness", "run a C2SP tlog-witness that cosigns checkpoints consistent with what it saw",
       Fixed(Access::kNone),
       [&](CLI::App* cmd) {
         WitnessOptions& w = o.witness;
         cmd->add_option("--key", w.key, "the witness's private key (PEM)")->required();
         cmd->add_option("--name", w.name, "its key name, e.g. witness.example.org/w1")->required();
         cmd->add_flag("--vkey", w.vkey, "print its cosignature verifier key and exit");
         cmd->add_option("--listen", w.listen, "HOST:PORT to listen on (port 0: any)")->capture_default_str();
         cmd->add_option("--log", w.logs, "ORIGIN=VKEY: a log it witnesses (repeatable)");
       },
       [&](Context& ctx) { return CmdWitness(ctx, o.witness); }},
      {"tiles", "write the C2SP tlog-tiles read side to a directory (incrementally)",
       Fixed(Access::kRead),
       [&](CLI::App* cmd) { cmd->add_option("dir", o.dir, "directory to write (created if missing)")->required(); },
       [&](Context& ctx) { return CmdTiles(ctx, o.dir); }},
      {"mirror", "keep a verified read-only replica of a server's log in --db",
       Fixed(Access::kNone),
       [&](CLI::App* cmd) {
         cmd->add_option("--server", c.g.server, "the server to follow (http://HOST:PORT)")->required();
         cmd->add_option("--operator-key", o.mirror.trust.operator_key, "the trusted operator public key (PEM)");
         cmd->add_option("--vkey", o.mirror.trust.vkey, "the trusted operator verifier key (or a file holding it)");
         cmd->add_flag("--follow", o.mirror.follow, "keep following the log until SIGTERM/SIGINT");
         cmd->add_option("--interval", o.mirror.interval, "with --follow: seconds between rounds")
             ->capture_default_str();
         cmd->add_option("--currency", o.mirror.currency,
                         "the log's currency, when the server does not say it (a static tiles host)");
         WitnessFlags(cmd, &c.g);
       },
       [&](Context& ctx) { return CmdMirror(ctx, o.mirror); }},
      {"export", "write an offline audit bundle", Fixed(Access::kRead),
       [&](CLI::App* cmd) {
         cmd->add_option("dir", o.dir, "new (or empty) directory")->required();
         cmd->add_flag("--quiet", g.quiet, "no progress line");
       },
       [&](Context& ctx) { return CmdExport(ctx, o.dir); }},
      {"verify-bundle", "verify an audit bundle without any database", Fixed(Access::kNone),
       [&](CLI::App* cmd) {
         cmd->add_option("dir", o.verify_bundle.dir, "the bundle's directory")->required();
         cmd->add_option("--operator-key", o.verify_bundle.operator_key,
                         "pin the trusted operator public key (PEM)");
         WitnessFlags(cmd, &c.g);
         JsonFlags(cmd, &c.g, &o.format);
       },
       [&](Context& ctx) { return CmdVerifyBundle(ctx, o.verify_bundle); }},
      {"verify-proof inclusion", "check an inclusion proof against a signed checkpoint",
       Fixed(Access::kNone),
       [&](CLI::App* cmd) {
         VerifyProofOptions& v = o.verify_proof;
         cmd->add_option("proof", v.proof, "the `prove inclusion` JSON, or - for stdin")->required();
         cmd->add_option("--checkpoint", v.checkpoint, "signed checkpoint file")->required();
         cmd->add_option("--vkey", v.vkey, "operator verifier key (or a file holding it)")->required();
         cmd->add_option("--entry", v.entry, "the entry's envelope (a line of entries.jsonl)");
         cmd->add_option("--leaf-hash", v.leaf_hash, "the entry's leaf hash (hex)");
         cmd->add_option("--index", v.index, "the entry's index")->required();
         WitnessFlags(cmd, &c.g);
       },
       [&](Context& ctx) { return CmdVerifyProofInclusion(ctx.g, o.verify_proof); }},
      {"verify-proof consistency", "check a consistency proof between two signed checkpoints",
       Fixed(Access::kNone),
       [&](CLI::App* cmd) {
         VerifyProofOptions& v = o.verify_proof;
         cmd->add_option("proof", v.proof, "the `prove consistency` JSON, or - for stdin")->required();
         cmd->add_option("--old-checkpoint", v.old_checkpoint, "the earlier signed checkpoint")->required();
         cmd->add_option("--checkpoint", v.checkpoint, "the later signed checkpoint")->required();
         cmd->add_option("--vkey", v.vkey, "operator verifier key (or a file holding it)")->required();
         WitnessFlags(cmd, &c.g);
       },
       [&](Context& ctx) { return CmdVerifyProofConsistency(ctx.g, o.verify_proof); }},
      {"trace", "a lot's provenance cone (--up) or its products (--down)",
       Fixed(Access::kNone),  // CmdTrace opens --db itself, unless --bundle
       [&](CLI::App* cmd) {
         cmd->add_option("lot", o.trace.lot, "lot id")->required();
         auto* up = cmd->add_flag("--up", o.up, "upstream: where it came from (default)");
         cmd->add_flag("--down", o.trace.down, "downstream: what contains it")->excludes(up);
         cmd->add_option("--format", o.trace.format, "text, json or dot (graphviz)")
             ->check(CLI::IsMember({"text", "json", "dot"}));
         cmd->add_flag("--json", g.json, "same as --format json");
         cmd->add_option("--policy", o.trace.policy,
                         "policy file for content and highlights (default: the shipped No. 61)");
         cmd->add_option("--as-of", o.trace.as_of, "with --policy: date of the verdict DOT shows");
         cmd->add_option("--bundle", o.trace.bundle, "read a verified audit bundle, not --db");
       },
       [&](Context& ctx) {
         if (ctx.g.json) o.trace.format = "json";
         return CmdTrace(ctx, o.trace);
       }},
      {"assess", "export-control determination of a lot under one or more policies",
       Fixed(Access::kNone),  // CmdAssess opens --db itself after its usage checks
       [&](CLI::App* cmd) {
         cmd->add_option("lot", o.assess.lot, "lot id (or --all)");
         cmd->add_option("--policy", o.assess.policies,
                         "policy JSON file, repeatable (default: every shipped policy)");
         cmd->add_option("--bundle", o.assess.bundle, "read a verified audit bundle, not --db");
         cmd->add_option("--as-of", o.assess.as_of, "date YYYY-MM-DD (default: today, UTC)");
         cmd->add_option("--format", o.assess.format, "text or json")
             ->check(CLI::IsMember({"text", "json"}));
         cmd->add_flag("--json", g.json, "same as --format json");
         cmd->add_flag("--all", o.assess.all, "every lot: JSON lines, or one text line each");
         cmd->add_option("--category", o.assess.category, "with --all: only this category");
         cmd->add_option("--to", o.assess.to,
                         "assess the shipment to this party: its licences and screening");
         cmd->add_option("--end-use", o.assess.end_use, "with --to: the shipment's end use")
             ->check(CLI::IsMember({"civil", "military", "humanitarian", "research", "unknown"}));
         cmd->add_option("--end-user", o.assess.end_user,
                         "with --to: the end user's name, as a transfer's end_user");
       },
       [&](Context& ctx) {
         if (ctx.g.json) o.assess.format = "json";
         return CmdAssess(ctx, o.assess);
       }},
      {"notice", "a Compliance Notice: the lot's determination for its next recipient, with proofs",
       Fixed(Access::kNone),  // CmdNotice opens --db after its usage checks
       [&](CLI::App* cmd) {
         NoticeOptions& n = o.notice;
         cmd->add_option("lot", n.lot, "lot id")->required();
         cmd->add_option("--policy", n.policy, "policy JSON file or shipped policy name")->required();
         cmd->add_option("--to", n.to, "the recipient party")->required();
         cmd->add_option("--key", n.key, "the lot holder's private key (PEM)")->required();
         cmd->add_option("--as-of", n.as_of, "date of the determination (default: today, UTC)");
         cmd->add_option("--valid-until", n.valid_until,
                         "last day the notice is valid (default: 30 days from today)");
         cmd->add_option("--end-use", n.end_use, "the shipment's end use")
             ->check(CLI::IsMember({"civil", "military", "humanitarian", "research", "unknown"}));
         cmd->add_option("--end-user", n.end_user, "the end user's name, as a transfer's end_user");
         cmd->add_option("--out", n.out, "write the notice to FILE (default: stdout)");
         cmd->add_flag("--quiet", g.quiet, "no summary line on stderr");
       },
       [&](Context& ctx) { return CmdNotice(ctx, o.notice); }},
      {"verify-notice", "check a Compliance Notice offline against the operator's key",
       Fixed(Access::kNone),
       [&](CLI::App* cmd) {
         VerifyNoticeOptions& v = o.verify_notice;
         cmd->add_option("file", v.file, "the notice (JSON), or - for stdin")->required();
         cmd->add_option("--operator-key", v.operator_key, "the operator's public key (PEM)")->required();
         cmd->add_option("--at", v.at, "check validity on this date (default: today, UTC)");
         cmd->add_option("--max-checkpoint-age", v.max_checkpoint_age_days,
                         "days the checkpoint's newest entry may precede the notice")
             ->capture_default_str();
         cmd->add_option("--policy", v.policy, "require this policy file (id and SHA-256)");
         cmd->add_flag("--recompute", v.recompute,
                       "also assess the shipment again from the log at --db and compare");
         WitnessFlags(cmd, &c.g);
         JsonFlags(cmd, &c.g, &o.format);
       },
       [&](Context& ctx) {
         if (o.format == "json") ctx.g.json = true;
         return CmdVerifyNotice(ctx, o.verify_notice);
       }},
      {"epcis import", "map a GS1 EPCIS 2.0 document's events to entries signed by --key, all or nothing",
       [&o, gp = &c.g] {
         if (!gp->server.empty()) return Access::kNone;
         return o.epcis_import.dry_run ? Access::kRead : Access::kWrite;
       },
       [&](CLI::App* cmd) {
         cmd->add_option("document", o.epcis_import.document, "EPCIS 2.0 JSON / JSON-LD file, or - for stdin")->required();
         cmd->add_option("--key", o.epcis_import.key, "the importing party's private key (PEM)")->required();
         cmd->add_option("--server", c.g.server,
                         "import through this rareledger server instead of --db (the key stays here)");
         cmd->add_flag("--dry-run", o.epcis_import.dry_run, "print the payloads (JSON Lines) and the report, append nothing");
         cmd->add_flag("--json", g.json, "print the report as JSON");
       },
       [&](Context& ctx) { return CmdEpcisImport(ctx, o.epcis_import); }},
      {"epcis export", "the log, or a lot's cone, as a GS1 EPCIS 2.0 document", Fixed(Access::kRead),
       [&](CLI::App* cmd) {
         auto& x = o.epcis_export;
         cmd->add_option("--lot", x.lot, "only this lot's cone (upstream by default)");
         auto* up = cmd->add_flag("--up", x.up, "with --lot: the lot and everything upstream (default)");
         cmd->add_flag("--down", x.down, "with --lot: the lot and everything downstream")->excludes(up);
         cmd->add_option("--party", x.party, "only entries this party signed");
         cmd->add_flag("--with-values", x.with_values, "include values and prices (commercial secrets)");
         cmd->add_option("--out", x.out, "write the document to FILE (default: stdout)");
       },
       [&](Context& ctx) { return CmdEpcisExport(ctx, o.epcis_export); }},
      {"demo", "build a sample supply chain in a fresh ledger and assess it", Fixed(Access::kNone),
       [&](CLI::App* cmd) {
         cmd->add_option("--policies", o.policy_dir, "policy directory (default: the shipped policies)");
       },
       [&](Context& ctx) { return CmdDemo(ctx, o.policy_dir); }},
  };
}

// "unknown command "lott" (did you mean "lot"?)" for the first word that
// names no command; empty when the words are all known.
std::string UnknownCommand(int argc, char** argv, const std::vector<Command>& table) {
  std::string prefix;  // the known words so far
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("-", 0) == 0) {
      if (arg == "--db" || arg == "--wait") ++i;  // skip the value
      continue;
    }
    std::set<std::string> words;  // the words that may follow `prefix`
    bool leaf = false;
    for (const auto& c : table) {
      if (c.path == prefix) leaf = true;
      if (prefix.empty() || c.path.rfind(prefix + " ", 0) == 0) {
        std::string rest = prefix.empty() ? c.path : c.path.substr(prefix.size() + 1);
        words.insert(rest.substr(0, rest.find(' ')));
      }
    }
    if (leaf) return "";  // the rest are the command's own arguments
    if (words.count(arg) == 0) {
      std::string best;
      size_t best_d = 3;  // suggest only near misses
      for (const auto& w : words) {
        size_t d = ledger::EditDistance(arg, w);
        if (d < best_d || (w.rfind(arg, 0) == 0 && best.empty())) best = w, best_d = d;
      }
      std::string where = prefix.empty() ? "command" : "\"" + prefix + "\" command";
      return "unknown " + where + " \"" + arg + "\"" +
             (best.empty() ? "; see rareledger --help" : " (did you mean \"" + best + "\"?)");
    }
    prefix = prefix.empty() ? arg : prefix + " " + arg;
  }
  return "";
}

int Run(int argc, char** argv) {
  CLI::App app{"rareledger: signed provenance of rare-earth content, with export-control "
               "assessments"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("rareledger ") + ledger::ToolVersion() +
                                        " (ledger format " +
                                        std::to_string(ledger::LedgerFormatNumber()) + ")");
  Context ctx;
  ctx.g.db = DefaultDb();
  Options o;
  std::vector<Command> table = Table(o, ctx);
  auto db_option = [&](CLI::App* cmd) {
    cmd->add_option("--db", ctx.g.db, "ledger directory (default $RARELEDGER_DB, else ./rareledger.db)");
  };
  db_option(&app);
  app.add_option("--wait", ctx.g.wait_seconds, "writers: wait this many seconds for the ledger's lock");

  const std::map<std::string, std::string> groups = {
      {"party", "register, revoke or list parties"}, {"key", "key lifecycle"},
      {"lot", "create, correct or list lots"},                {"show", "show a lot, an entry or a party"},
      {"prove", "RFC 9162 proofs"},
      {"epcis", "GS1 EPCIS 2.0 import and export"},
      {"verify-proof", "check a printed proof offline against signed checkpoints"}};
  std::map<std::string, CLI::App*> group_apps;
  const Command* chosen = nullptr;
  for (const auto& c : table) {
    CLI::App* parent = &app;
    std::string name = c.path;
    if (size_t space = c.path.find(' '); space != std::string::npos) {
      std::string group = c.path.substr(0, space);
      name = c.path.substr(space + 1);
      auto [it, fresh] = group_apps.emplace(group, nullptr);
      if (fresh) {
        it->second = app.add_subcommand(group, groups.at(group));
        it->second->require_subcommand(1);
      }
      parent = it->second;
    }
    CLI::App* cmd = parent->add_subcommand(name, c.help);
    db_option(cmd);  // --db before or after the command
    if (c.access() == Access::kWrite)  // by default: checkpoint, shortcuts
      cmd->add_option("--wait", ctx.g.wait_seconds, "wait this many seconds for the ledger's lock");
    c.options(cmd);
    cmd->callback([&chosen, &c] { chosen = &c; });
  }

  if (std::string unknown = UnknownCommand(argc, argv, table); !unknown.empty())
    return UsageError(unknown);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    std::replace(what.begin(), what.end(), '\n', ' ');
    return UsageError(what + (what.find("--help") == std::string::npos ? " (see --help)" : ""));
  }
  if (chosen == nullptr) return UsageError("no command given; see rareledger --help");
  if (o.format == "json") ctx.g.json = true;
  const Access access = chosen->access();
  if (access != Access::kNone) {
    ledger::Status opened = ctx.Open(access);
    if (!opened.ok()) return Fail(opened);
  }
  int code = chosen->run(ctx);
  ctx.opened.reset();  // closes the ledger before exit
  return code;
}

}  // namespace
}  // namespace rareledger::cli

int main(int argc, char** argv) { return rareledger::cli::Run(argc, argv); }
