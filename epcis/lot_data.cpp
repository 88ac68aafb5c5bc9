#include "epcis/lot_data.h"

#include <algorithm>

#include "epcis/decimal.h"
#include "epcis/identifiers.h"
#include "epcis/refusal.h"
#include "ledger/entry.h"
#include "ledger/vocabulary.h"

namespace rareledger::epcis {
namespace {

const json* Str(const Prefixes& p, const json& object, const char* term) {
  const json* v = FindRl(p, object, term);
  return v != nullptr && v->is_string() ? v : nullptr;
}

std::string Country(const std::string& code, const char* code_name, const std::string& what) {
  if (!ledger::IsCountryCode(code))
    Refuse(code_name, what + " \"" + code + "\" is not an ISO 3166-1 alpha-2 code");
  return code;
}

std::optional<std::string> IlmdOrigin(const Prefixes& p, const json& ilmd) {
  for (const char* iri : {"urn:epcglobal:cbv:mda:countryOfOrigin", "https://gs1.org/voc/countryOfOrigin",
                          "https://ref.gs1.org/voc/countryOfOrigin"}) {
    const json* v = FindByIri(p, ilmd, iri);
    if (v != nullptr && v->is_string()) return v->get<std::string>();
  }
  return std::nullopt;
}

json ReadElements(const Prefixes& p, const json& list, const std::string& lot) {
  if (!list.is_array()) Refuse("bad_extension", "rl:elements of " + lot + " must be an array");
  json out = json::object();
  for (const auto& e : list) {
    const json* symbol = Str(p, e, "element");
    if (symbol == nullptr) Refuse("bad_extension", "rl:elements of " + lot + " needs rl:element");
    const json* q = FindRl(p, e, "quantity");
    const json* u = Str(p, e, "uom");
    std::optional<std::string> quantity, uom;
    if (q != nullptr) quantity = NumberText(*q);
    if (u != nullptr) uom = u->get<std::string>();
    std::string name = symbol->get<std::string>();
    if (out.contains(name)) Refuse("bad_extension", "rl:elements of " + lot + " lists " + name + " twice");
    out[name] = ToGrams(quantity, uom, "rl:elements " + name + " of " + lot);
  }
  return out;
}

}  // namespace

std::string Origin(const Prefixes& p, const json& ilmd) {
  auto origin = IlmdOrigin(p, ilmd);
  if (!origin) Refuse("missing_origin", "ILMD has no cbvmda:countryOfOrigin");
  return Country(*origin, "missing_origin", "ILMD cbvmda:countryOfOrigin");
}

int64_t ReadValue(const Prefixes& p, const json& value, const std::string& currency,
                  const std::string& what) {
  const json* amount = Str(p, value, "amount");
  const json* cur = Str(p, value, "currency");
  if (amount == nullptr || cur == nullptr)
    Refuse("bad_extension", what + " needs rl:amount (a decimal string) and rl:currency");
  if (*cur != currency)
    Refuse("currency_mismatch", what + " is in " + cur->get<std::string>() + ", the ledger's currency is " + currency);
  return ToMinorUnits(amount->get<std::string>(), currency, what);
}

LotData ReadLotData(const Prefixes& p, const json& ilmd, const std::string& lot,
                    const std::string& currency) {
  const json* lots = FindRl(p, ilmd, "lots");
  const json* entry = nullptr;
  if (lots != nullptr && lots->is_array())
    for (const auto& l : *lots) {
      const json* c = Str(p, l, "epcClass");
      if (c != nullptr && LotIdOfClass(c->get<std::string>()) == lot) entry = &l;
    }
  if (entry == nullptr) Refuse("missing_lot_data", "ILMD rl:lots has no entry for lot " + lot);
  LotData d;
  const json* material = Str(p, *entry, "material");
  const json* category = Str(p, *entry, "category");
  const json* value = FindRl(p, *entry, "value");
  if (material == nullptr || material->get<std::string>().empty() || category == nullptr || value == nullptr)
    Refuse("missing_lot_data", "rl:lots entry of " + lot + " needs rl:material, rl:category and rl:value");
  d.material = material->get<std::string>();
  d.category = category->get<std::string>();
  const auto& cats = ledger::LotCategories();
  if (std::find(cats.begin(), cats.end(), d.category) == cats.end()) {
    auto near = ledger::ClosestValue(d.category, cats);
    Refuse("bad_extension", "rl:category \"" + d.category + "\" of " + lot + " is not a ledger category" +
                                (near ? " (did you mean " + *near + "?)" : ""));
  }
  d.value = ReadValue(p, *value, currency, "rl:value of " + lot);
  if (const json* el = FindRl(p, *entry, "elements")) d.elements = ReadElements(p, *el, lot);
  if (const json* hs = Str(p, *entry, "hs")) d.hs = hs->get<std::string>();
  return d;
}

std::optional<int64_t> ReadPrice(const Prefixes& p, const json& event, const std::string& lot,
                                 const std::string& currency) {
  const json* prices = FindRl(p, event, "prices");
  if (prices == nullptr) return std::nullopt;
  if (!prices->is_array()) Refuse("bad_extension", "rl:prices must be an array");
  for (const auto& e : *prices) {
    const json* c = Str(p, e, "epcClass");
    const json* v = FindRl(p, e, "value");
    if (c == nullptr || v == nullptr) Refuse("bad_extension", "rl:prices entries need rl:epcClass and rl:value");
    if (LotIdOfClass(c->get<std::string>()) == lot) return ReadValue(p, *v, currency, "rl:prices of " + lot);
  }
  return std::nullopt;
}

void MergeTransformData(const Prefixes& p, const json& e, TransformData* d,
                        std::vector<std::string>* warnings) {
  for (const char* key : {"inputQuantityList", "outputQuantityList"}) {
    if (!e.contains(key)) continue;
    auto& into = std::string(key) == "inputQuantityList" ? d->inputs : d->outputs;
    for (const auto& q : e[key]) into.push_back({q, key});
  }
  if (e.contains("ilmd"))
    for (const auto& [k, v] : e["ilmd"].items()) d->ilmd[k] = v;
  if (const json* v = Str(p, e, "process")) {
    const auto& procs = ledger::TransformProcesses();
    std::string proc = v->get<std::string>();
    if (std::find(procs.begin(), procs.end(), proc) == procs.end())
      Refuse("bad_extension", "rl:process \"" + proc + "\" is not a ledger process");
    if (!d->process.empty() && d->process != proc)
      warnings->push_back("events of one transformationID name processes " + d->process + " and " + proc + ": " + d->process + " kept");
    if (d->process.empty()) d->process = proc;
  }
  if (const json* v = Str(p, e, "technologyOrigin"))
    d->technology_origin = Country(v->get<std::string>(), "bad_extension", "rl:technologyOrigin");
  if (const json* v = Str(p, e, "facilityCountry"))
    d->facility_country = Country(v->get<std::string>(), "bad_extension", "rl:facilityCountry");
  if (const json* v = FindRl(p, e, "allocation")) d->allocation = *v;
}

std::string FacilityCountry(const Prefixes& p, const TransformData& d) {
  auto origin = IlmdOrigin(p, d.ilmd);
  if (!d.facility_country && !origin)
    Refuse("missing_facility_country", "neither rl:facilityCountry nor ILMD cbvmda:countryOfOrigin names where the transformation ran");
  if (d.facility_country && origin && *origin != *d.facility_country)
    Refuse("conflicting_facility_country", "rl:facilityCountry " + *d.facility_country +
                                               " differs from ILMD cbvmda:countryOfOrigin " + *origin);
  return d.facility_country ? *d.facility_country : Country(*origin, "bad_extension", "ILMD cbvmda:countryOfOrigin");
}

json ReadAllocation(const Prefixes& p, const json& allocation) {
  if (!allocation.is_array()) Refuse("bad_extension", "rl:allocation must be an array");
  json out = json::object();
  for (const auto& a : allocation) {
    const json* c = Str(p, a, "epcClass");
    const json* f = Str(p, a, "fraction");
    if (c == nullptr || f == nullptr) Refuse("bad_extension", "rl:allocation entries need rl:epcClass and rl:fraction");
    if (!ledger::ParseFraction(f->get<std::string>()).ok())
      Refuse("bad_extension", "rl:fraction \"" + f->get<std::string>() + "\" is not n/d");
    out[LotIdOfClass(c->get<std::string>())] = *f;
  }
  return out;
}

}  // namespace rareledger::epcis
