// The core library's version string (also a translation unit so the static
// library is never empty while areas are being added).
namespace quoteframe {
const char* core_version() { return "0.1.0"; }
}  // namespace quoteframe
