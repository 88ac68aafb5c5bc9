// The officially assigned ISO 3166-1 alpha-2 country codes.
//
// Source: ISO 3166-1, the 249 codes with status "officially assigned" in the
// ISO Online Browsing Platform (https://www.iso.org/obp/ui/#search/code/) as
// of 2026. Exceptionally, transitionally and indeterminately reserved codes
// (UK, EU, EL, ...) and the user-assigned ranges (AA, QM-QZ, XA-XZ, ZZ) are
// not in this list; XK (Kosovo, used by the European Commission and others)
// is accepted separately by IsCountryCode (vocabulary.h).
#include <array>

#include "ledger/vocabulary.h"

namespace rareledger::ledger {

const std::array<const char*, kIsoCountryCount>& IsoCountryCodes() {
  static const std::array<const char*, kIsoCountryCount> kCodes = {
      "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX",
      "AZ",  // A: 16
      "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR",
      "BS", "BT", "BV", "BW", "BY", "BZ",  // B: 21
      "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV",
      "CW", "CX", "CY", "CZ",                    // C: 19
      "DE", "DJ", "DK", "DM", "DO", "DZ",        // D: 6
      "EC", "EE", "EG", "EH", "ER", "ES", "ET",  // E: 7
      "FI", "FJ", "FK", "FM", "FO", "FR",        // F: 6
      "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
      "GT", "GU", "GW", "GY",                                      // G: 19
      "HK", "HM", "HN", "HR", "HT", "HU",                          // H: 6
      "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT",  // I: 10
      "JE", "JM", "JO", "JP",                                      // J: 4
      "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ",  // K: 11
      "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY",  // L: 11
      "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR",
      "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ",                          // M: 23
      "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",  // N: 12
      "OM",                                                                    // O: 1
      "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY",  // P: 14
      "QA",                                                                                // Q: 1
      "RE", "RO", "RS", "RU", "RW",                                                        // R: 5
      "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR",
      "SS", "ST", "SV", "SX", "SY", "SZ",  // S: 21
      "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
      "TZ",                                      // T: 16
      "UA", "UG", "UM", "US", "UY", "UZ",        // U: 6
      "VA", "VC", "VE", "VG", "VI", "VN", "VU",  // V: 7
      "WF", "WS",                                // W: 2
      "YE", "YT",                                // Y: 2
      "ZA", "ZM", "ZW",                          // Z: 3
  };
  return kCodes;
}

}  // namespace rareledger::ledger
