// The web viewer's static files (web/ in the source tree), compiled into the
// binary by web/embed.cmake: `serve` reads nothing from disk to serve them.
#ifndef RARELEDGER_SERVER_WEB_ASSETS_H_
#define RARELEDGER_SERVER_WEB_ASSETS_H_

#include <string_view>
#include <vector>

namespace rareledger::server {

struct WebAsset {
  std::string_view name;   // the path under web/, e.g. "app.js"
  std::string_view bytes;  // the file's exact bytes
};

// Every embedded asset, in the order server/CMakeLists.txt lists them.
const std::vector<WebAsset>& WebAssets();

}  // namespace rareledger::server

#endif  // RARELEDGER_SERVER_WEB_ASSETS_H_
