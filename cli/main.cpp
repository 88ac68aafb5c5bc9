// rareledger: argument parsing and dispatch. CLI11 is included here only
// (it is expensive to compile); every handler lives in its own file.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <functional>
#include <iostream>

#include "cli/cli.h"

namespace rareledger::cli {
namespace {

std::string DefaultDb() {
  const char* env = std::getenv("RARELEDGER_DB");
  return env != nullptr && *env != '\0' ? env : "./rareledger.db";
}

void AddSigning(CLI::App* cmd, Signing* s) {
  cmd->add_option("--key", s->key, "the signer's private key (PKCS#8 PEM)")->required();
  cmd->add_option("--party", s->party, "signer party id (default: the party holding --key)");
  cmd->add_option("--time", s->time, "payload time, RFC 3339 UTC (default: now)");
}

int Run(int argc, char** argv) {
  CLI::App app{"rareledger: signed provenance of rare-earth content, with export-control "
               "assessments"};
  app.require_subcommand(1);
  Globals g;
  g.db = DefaultDb();
  app.add_option("--db", g.db, "ledger directory (default $RARELEDGER_DB, else ./rareledger.db)");
  std::function<int()> action;
  auto on = [&](CLI::App* cmd, std::function<int()> fn) {
    cmd->callback([&action, fn] { action = fn; });
    return cmd;
  };
  auto json_flag = [&](CLI::App* cmd) { cmd->add_flag("--json", g.json, "JSON output"); };

  InitOptions init;
  auto* c = on(app.add_subcommand("init", "create a ledger: entry 0 registers the operator"),
               [&] { return CmdInit(g, init); });
  c->add_option("--ledger-id", init.ledger_id, "ledger id (the checkpoint origin)")->required();
  c->add_option("--operator-key", init.operator_key, "operator private key (PEM)")->required();
  c->add_option("--currency", init.currency, "ISO 4217 currency of all values")->capture_default_str();
  c->add_option("--country", init.country, "operator's country (ISO 3166-1 alpha-2)")->capture_default_str();

  c = on(app.add_subcommand("status", "ledger id, currency, size and root"), [&] { return CmdStatus(g); });
  json_flag(c);

  std::string keygen_out;
  c = on(app.add_subcommand("keygen", "write NAME.key (PKCS#8, 0600) and NAME.pub (SPKI)"),
         [&] { return CmdKeygen(keygen_out); });
  c->add_option("--out", keygen_out, "file stem NAME")->required();

  std::string sign_key, sign_input = "-";
  c = on(app.add_subcommand("sign", "canonicalise a payload and print the signed envelope"),
         [&] { return CmdSign(sign_key, sign_input); });
  c->add_option("--key", sign_key, "private key (PEM)")->required();
  c->add_option("input", sign_input, "payload JSON file, or - for stdin");

  std::string submit_input = "-";
  c = on(app.add_subcommand("submit", "append envelopes (one, or JSON Lines) in order"),
         [&] { return CmdSubmit(g, submit_input); });
  c->add_option("input", submit_input, "envelope file (JSON or JSON Lines), or - for stdin");
  c->add_flag("--quiet", g.quiet, "print only the summary");
  json_flag(c);

  // Shortcuts.
  Signing sig;
  auto* party = app.add_subcommand("party", "register or revoke a party (operator)");
  party->require_subcommand(1);
  PartyAddOptions pa;
  c = on(party->add_subcommand("add", "register a party"), [&] { return CmdPartyAdd(g, sig, pa); });
  AddSigning(c, &sig);
  c->add_option("--id", pa.id)->required();
  c->add_option("--name", pa.name)->required();
  c->add_option("--country", pa.country)->required();
  c->add_option("--roles", pa.roles, "producer, processor, manufacturer, auditor, regulator")
      ->required()->delimiter(',');
  c->add_option("--pubkey", pa.pubkey, "the party's public key: PEM file or base64")->required();
  std::string revoke_id, revoke_reason;
  c = on(party->add_subcommand("revoke", "revoke a party"),
         [&] { return CmdPartyRevoke(g, sig, revoke_id, revoke_reason); });
  AddSigning(c, &sig);
  c->add_option("--id", revoke_id)->required();
  c->add_option("--reason", revoke_reason)->required();

  auto* key = app.add_subcommand("key", "key lifecycle");
  key->require_subcommand(1);
  std::string new_pub;
  c = on(key->add_subcommand("rotate", "replace the signer's key (signed with the current key)"),
         [&] { return CmdKeyRotate(g, sig, new_pub); });
  AddSigning(c, &sig);
  c->add_option("--new-pubkey", new_pub, "the new public key: PEM file or base64")->required();

  auto* lot = app.add_subcommand("lot", "lots");
  lot->require_subcommand(1);
  LotCreateOptions lc;
  c = on(lot->add_subcommand("create", "create a lot (the signer becomes its holder)"),
         [&] { return CmdLotCreate(g, sig, lc); });
  AddSigning(c, &sig);
  c->add_option("--lot", lc.lot)->required();
  c->add_option("--material", lc.material)->required();
  c->add_option("--category", lc.category)->required();
  c->add_option("--mass-g", lc.mass_g)->required();
  c->add_option("--value", lc.value, "minor units of the ledger currency")->required();
  c->add_option("--origin", lc.origin, "country where it was produced")->required();
  c->add_option("--element", lc.elements, "SYMBOL=GRAMS, repeatable");
  c->add_option("--hs", lc.hs, "HS code");
  LotCorrectOptions lk;
  c = on(lot->add_subcommand("correct", "correct a lot's material, category, elements or hs "
                                        "(signed by its creator)"),
         [&] { return CmdLotCorrect(g, sig, lk); });
  AddSigning(c, &sig);
  c->add_option("--lot", lk.lot)->required();
  c->add_option("--material", lk.material, "the corrected material");
  c->add_option("--category", lk.category, "the corrected category");
  c->add_option("--element", lk.elements, "SYMBOL=GRAMS, repeatable: the corrected elements");
  c->add_option("--hs", lk.hs, "the corrected HS code");
  c->add_option("--reason", lk.reason, "why the lot is corrected")->required();

  std::string tr_lot, tr_to;
  std::optional<int64_t> tr_value;
  c = on(app.add_subcommand("transfer", "move what remains of a lot to another party"),
         [&] { return CmdTransfer(g, sig, tr_lot, tr_to, tr_value); });
  AddSigning(c, &sig);
  c->add_option("--lot", tr_lot)->required();
  c->add_option("--to", tr_to)->required();
  c->add_option("--value", tr_value, "price paid for what remains (becomes its declared value)");

  std::string sp_lot;
  std::vector<std::string> sp_parts;
  c = on(app.add_subcommand("split", "split parts off a lot"),
         [&] { return CmdSplit(g, sig, sp_lot, sp_parts); });
  AddSigning(c, &sig);
  c->add_option("--lot", sp_lot)->required();
  c->add_option("--part", sp_parts, "NEWLOT=MASS_G, repeatable")->required();

  TransformOptions tf;
  c = on(app.add_subcommand("transform", "consume input lots, make output lots"),
         [&] { return CmdTransform(g, sig, tf); });
  AddSigning(c, &sig);
  c->add_option("--process", tf.process)->required();
  c->add_option("--facility-country", tf.facility_country)->required();
  c->add_option("--technology-origin", tf.technology_origin);
  c->add_option("--input", tf.inputs, "LOT=MASS_G, repeatable")->required();
  c->add_option("--output", tf.outputs,
                "JSON object {lot, material, category, mass_g, value, elements?}, repeatable")
      ->required();
  c->add_option("--allocation", tf.allocation, "OUTPUT_LOT=n/d, repeatable");

  AttestOptions at;
  c = on(app.add_subcommand("attest", "an auditor's claim about a lot or an entry"),
         [&] { return CmdAttest(g, sig, at); });
  AddSigning(c, &sig);
  c->add_option("--lot", at.lot);
  c->add_option("--entry", at.entry);
  c->add_option("--claim", at.claim)->required();
  c->add_option("--detail", at.detail);

  // Reading.
  auto* show = app.add_subcommand("show", "show a lot, an entry or a party");
  show->require_subcommand(1);
  std::string show_id;
  uint64_t show_index = 0;
  c = on(show->add_subcommand("lot", "a lot's current record"), [&] { return CmdShowLot(g, show_id); });
  c->add_option("id", show_id)->required();
  json_flag(c);
  c = on(show->add_subcommand("entry", "an entry by index"), [&] { return CmdShowEntry(g, show_index); });
  c->add_option("index", show_index)->required();
  json_flag(c);
  c = on(show->add_subcommand("party", "a party's record"), [&] { return CmdShowParty(g, show_id); });
  c->add_option("id", show_id)->required();
  json_flag(c);

  uint64_t log_from = 0;
  std::optional<uint64_t> log_limit;
  c = on(app.add_subcommand("log", "list entries"), [&] { return CmdLog(g, log_from, log_limit); });
  c->add_option("--from", log_from);
  c->add_option("--limit", log_limit);
  json_flag(c);

  CheckpointOptions cp;
  c = on(app.add_subcommand("checkpoint", "sign and record a checkpoint, or --list them"),
         [&] { return CmdCheckpoint(g, cp); });
  c->add_option("--operator-key", cp.operator_key, "operator private key (PEM)");
  c->add_flag("--list", cp.list, "print every checkpoint issued");
  json_flag(c);

  auto* prove = app.add_subcommand("prove", "RFC 9162 proofs");
  prove->require_subcommand(1);
  uint64_t pr_index = 0, pr_old = 0;
  std::optional<uint64_t> pr_size, pr_new;
  c = on(prove->add_subcommand("inclusion", "inclusion proof of an entry"),
         [&] { return CmdProveInclusion(g, pr_index, pr_size); });
  c->add_option("--index", pr_index)->required();
  c->add_option("--size", pr_size);
  c = on(prove->add_subcommand("consistency", "consistency proof between two sizes"),
         [&] { return CmdProveConsistency(g, pr_old, pr_new); });
  c->add_option("--old", pr_old)->required();
  c->add_option("--new", pr_new);

  c = on(app.add_subcommand("verify", "re-check every signature, rule, seq and checkpoint"),
         [&] { return CmdVerify(g); });
  c->add_flag("--quiet", g.quiet, "no progress line");
  std::string dir;
  c = on(app.add_subcommand("export", "write an offline audit bundle"), [&] { return CmdExport(g, dir); });
  c->add_option("dir", dir)->required();
  c->add_flag("--quiet", g.quiet, "no progress line");
  c = on(app.add_subcommand("verify-bundle", "verify an audit bundle without any database"),
         [&] { return CmdVerifyBundle(g, dir); });
  c->add_option("dir", dir)->required();

  TraceOptions trace;
  bool trace_up = false;
  c = on(app.add_subcommand("trace", "a lot's provenance cone (--up) or its products (--down)"),
         [&] { return CmdTrace(g, trace); });
  c->add_option("lot", trace.lot)->required();
  auto* up = c->add_flag("--up", trace_up, "upstream: where it came from (default)");
  c->add_flag("--down", trace.down, "downstream: what contains it")->excludes(up);
  c->add_option("--format", trace.format)->check(CLI::IsMember({"text", "json", "dot"}));
  c->add_option("--policy", trace.policy, "policy file: adds controlled content and highlights");

  AssessOptions as;
  c = on(app.add_subcommand("assess", "export-control determination under a policy"),
         [&] { return CmdAssess(g, as); });
  c->add_option("lot", as.lot);
  c->add_option("--policy", as.policy, "policy JSON file")->required();
  c->add_option("--as-of", as.as_of, "YYYY-MM-DD (default: today, UTC)");
  c->add_option("--format", as.format)->check(CLI::IsMember({"text", "json"}));
  c->add_flag("--all", as.all, "every lot, one JSON line each");
  c->add_option("--category", as.category, "with --all: only this category");

  std::string policy_dir;
  c = on(app.add_subcommand("demo", "build a sample supply chain and assess it"),
         [&] { return CmdDemo(g, policy_dir); });
  c->add_option("--policies", policy_dir, "policy directory (default: the shipped policies/)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return action ? action() : UsageError("no command given");
}

}  // namespace
}  // namespace rareledger::cli

int main(int argc, char** argv) { return rareledger::cli::Run(argc, argv); }
