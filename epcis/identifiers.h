// GS1 identifiers as ledger ids (docs/epcis.md "Lot ids", "Parties").
//
// Lot ids are canonical GS1 Digital Link URIs
// (https://id.gs1.org/01/<GTIN-14>/10/<lot>), the form the CBV 2.0 event
// hash canonicalises to; ledger ids that are not URIs travel as
// <kRlNamespace>lot/<id>. Parties map through their GLN.
#ifndef RARELEDGER_EPCIS_IDENTIFIERS_H_
#define RARELEDGER_EPCIS_IDENTIFIERS_H_

#include <optional>
#include <string>
#include <string_view>

namespace rareledger::epcis {

// The GS1 mod-10 check digit of `digits` (the digits before it).
char Gs1CheckDigit(std::string_view digits);

// The ledger lot id an epcClass names. Refuses (throws Refused):
// pattern_class (urn:epc:idpat:...), class_without_lot (a GTIN without a
// lot, as URN or Digital Link), bad_id (a wrong check digit, an instance
// identifier, or characters outside the ledger's id alphabet).
std::string LotIdOfClass(const std::string& epc_class);

// The epcClass URI of ledger lot `lot_id` (the inverse of LotIdOfClass for
// ids it produced): URIs as they are, other ids under <kRlNamespace>lot/.
std::string ClassOfLot(const std::string& lot_id);

// The GLN-13 of a party or location identifier: urn:epc:id:pgln:GCP.REF,
// urn:epc:id:sgln:GCP.REF.EXT, https://<host>/417/<GLN> or /414/<GLN>;
// nothing for anything else or a wrong check digit.
std::optional<std::string> GlnOf(const std::string& id);
// The PGLN Digital Link of a GLN (export).
std::string PglnUri(const std::string& gln);

}  // namespace rareledger::epcis

#endif  // RARELEDGER_EPCIS_IDENTIFIERS_H_
