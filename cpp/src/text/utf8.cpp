#include "quoteframe/text/utf8.hpp"

#include <cstdint>

#include "quoteframe/errors.hpp"

namespace quoteframe::text {
namespace {

// Length of the well-formed sequence starting at s[i], or 0 when it is
// ill-formed; `subpart` receives the length of its maximal valid prefix
// (at least 1) so a repair can skip exactly that much.
std::size_t sequence_length(std::string_view s, std::size_t i, std::size_t& subpart) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  subpart = 1;
  if (b0 < 0x80) return 1;
  std::size_t need;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 3;
    if (b0 == 0xE0) lo = 0xA0;        // no overlong 3-byte forms
    else if (b0 == 0xED) hi = 0x9F;   // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 4;
    if (b0 == 0xF0) lo = 0x90;        // no overlong 4-byte forms
    else if (b0 == 0xF4) hi = 0x8F;   // nothing above U+10FFFF
  } else {
    return 0;
  }
  for (std::size_t k = 1; k < need; ++k) {
    if (i + k >= s.size()) return 0;
    const auto b = static_cast<unsigned char>(s[i + k]);
    const unsigned char l = (k == 1) ? lo : 0x80, h = (k == 1) ? hi : 0xBF;
    if (b < l || b > h) return 0;
    subpart = k + 1;
  }
  return need;
}

}  // namespace

std::size_t find_invalid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    // ASCII fast path, eight bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t w;
      __builtin_memcpy(&w, s.data() + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    std::size_t sub;
    const std::size_t len = sequence_length(s, i, sub);
    if (len == 0) return i;
    i += len;
  }
  return kNpos;
}

std::string repair_utf8(std::string_view s, std::size_t* n_replaced) {
  std::string out;
  out.reserve(s.size());
  std::size_t replaced = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t sub;
    const std::size_t len = sequence_length(s, i, sub);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++replaced;
      i += sub;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  if (n_replaced) *n_replaced = replaced;
  return out;
}

void require_utf8(std::string_view s, const std::string& source) {
  const std::size_t bad = find_invalid_utf8(s);
  if (bad != kNpos) {
    char hex[8];
    static const char* digits = "0123456789ABCDEF";
    const auto b = static_cast<unsigned char>(s[bad]);
    hex[0] = '0'; hex[1] = 'x'; hex[2] = digits[b >> 4]; hex[3] = digits[b & 15]; hex[4] = 0;
    throw InputError(source + ": invalid UTF-8 at byte offset " + std::to_string(bad) +
                         " (byte " + hex + "); decode with errors=\"replace\" to substitute U+FFFD",
                     bad);
  }
}

std::size_t count_code_points(std::string_view s) noexcept {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace quoteframe::text
