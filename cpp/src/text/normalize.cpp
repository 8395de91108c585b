#include "quoteframe/text/normalize.hpp"

#include <unicode/normalizer2.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "quoteframe/errors.hpp"

namespace quoteframe::text {

int32_t premap_char(int32_t c) noexcept {
  switch (c) {
    // apostrophes and single quotation marks used as apostrophes
    case 0x2019: case 0x2018: case 0x02BC: case 0x2032: case 0x0060:
    case 0x00B4: case 0xFF07: case 0x201B: case 0x02B9:
      return 0x27;
    // double quotation marks of every tradition
    case 0x00AB: case 0x00BB: case 0x201C: case 0x201D: case 0x201E:
    case 0x201F: case 0x2039: case 0x203A: case 0x300C: case 0x300D:
    case 0x300E: case 0x300F: case 0x301D: case 0x301E: case 0xFF02:
    case 0x201A:
      return 0x22;
    // hyphens, dashes, minus
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
    case 0x2015: case 0x2212: case 0xFE58: case 0xFE63: case 0xFF0D:
      return 0x2D;
    default:
      return c;
  }
}

int32_t postmap_char(int32_t c) noexcept {
  if (c < 0x0600 || c > 0x06FF) return c;
  // harakat, Quranic annotation marks, superscript alef, tatweel
  if ((c >= 0x0610 && c <= 0x061A) || (c >= 0x064B && c <= 0x065F) || c == 0x0670 ||
      (c >= 0x06D6 && c <= 0x06DC) || (c >= 0x06DF && c <= 0x06E8) ||
      (c >= 0x06EA && c <= 0x06ED) || c == 0x0640)
    return -1;
  switch (c) {
    case 0x0622: case 0x0623: case 0x0625: case 0x0671: case 0x0672: case 0x0673:
      return 0x0627;  // alef with hamza or madda, wasla -> bare alef
    case 0x0649: case 0x06CC: case 0x06D2:
      return 0x064A;  // alef maqsura, Farsi yeh, yeh barree -> yeh
    case 0x0629: case 0x06C0: case 0x06C1: case 0x06D5: case 0x06BE:
      return 0x0647;  // teh marbuta and heh variants -> heh
    case 0x06A9:
      return 0x0643;  // keheh -> kaf
    default:
      return c;
  }
}

Folder::Folder() {
  UErrorCode status = U_ZERO_ERROR;
  nfkc_cf_ = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) throw IcuError("Normalizer2::getNFKCCasefoldInstance", status);
}

const Folder& Folder::shared() {
  static const Folder instance;
  return instance;
}

void Folder::fold(const char16_t* s, int32_t len, std::u16string& out,
                  icu::UnicodeString& scratch) const {
  // Fast path: printable ASCII needs only lower-casing.
  bool ascii = true;
  for (int32_t i = 0; i < len; ++i) {
    if (s[i] >= 0x80 || s[i] < 0x20 || s[i] == 0x60) { ascii = false; break; }
  }
  if (ascii) {
    for (int32_t i = 0; i < len; ++i) {
      char16_t c = s[i];
      out.push_back((c >= u'A' && c <= u'Z') ? static_cast<char16_t>(c + 32) : c);
    }
    return;
  }
  // Reused per thread: folding runs once per token, so no allocation here.
  thread_local icu::UnicodeString pre;
  pre.remove();
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U16_NEXT(s, i, len, c);
    pre.append(static_cast<UChar32>(premap_char(c)));
  }
  UErrorCode status = U_ZERO_ERROR;
  // Most tokens (lower-case accented or Arabic words) are already in
  // NFKC_Casefold form: the quick check avoids normalising them again.
  const icu::UnicodeString* folded = &pre;
  if (nfkc_cf_->quickCheck(pre, status) != UNORM_YES) {
    scratch.remove();
    status = U_ZERO_ERROR;
    nfkc_cf_->normalize(pre, scratch, status);
    folded = &scratch;
  }
  if (U_FAILURE(status)) throw IcuError("Normalizer2::normalize", status);
  const char16_t* b = folded->getBuffer();
  const int32_t n = folded->length();
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U16_NEXT(b, i, n, c);
    const int32_t m = postmap_char(c);
    if (m < 0) continue;
    if (m <= 0xFFFF) {
      out.push_back(static_cast<char16_t>(m));
    } else {
      out.push_back(static_cast<char16_t>(U16_LEAD(m)));
      out.push_back(static_cast<char16_t>(U16_TRAIL(m)));
    }
  }
}

std::string Folder::fold_utf8(std::string_view s) const {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  std::u16string out;
  icu::UnicodeString scratch;
  fold(reinterpret_cast<const char16_t*>(u.getBuffer()), u.length(), out, scratch);
  std::string r;
  icu::UnicodeString(false, out.data(), static_cast<int32_t>(out.size())).toUTF8String(r);
  return r;
}

Normalized normalize_with_map(std::string_view utf8) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) throw IcuError("Normalizer2::getNFKCCasefoldInstance", status);

  // Decode to code points once, pre-mapped.
  std::vector<UChar32> cps;
  cps.reserve(utf8.size());
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const int32_t n = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) c = 0xFFFD;
    cps.push_back(premap_char(c));
  }

  Normalized out;
  out.text.reserve(utf8.size());
  out.to_orig.reserve(cps.size() + 1);
  icu::UnicodeString seg, res;
  const std::size_t m = cps.size();
  std::size_t i = 0;
  while (i < m) {
    // A segment runs to the next code point with a normalisation boundary
    // before it, so folding segments one by one equals folding the whole.
    std::size_t j = i + 1;
    while (j < m && !nfkc->hasBoundaryBefore(cps[j])) ++j;
    seg.remove();
    for (std::size_t k = i; k < j; ++k) seg.append(cps[k]);
    res.remove();
    nfkc->normalize(seg, res, status);
    if (U_FAILURE(status)) throw IcuError("Normalizer2::normalize", status);
    const bool single = (j == i + 1);
    int32_t produced = 0;
    for (int32_t k = 0; k < res.length();) {
      const UChar32 c = res.char32At(k);
      k += U16_LENGTH(c);
      const int32_t mapped = postmap_char(c);
      if (mapped < 0) continue;
      char buf[4];
      int32_t len = 0;
      UBool err = false;
      U8_APPEND(reinterpret_cast<uint8_t*>(buf), len, 4, mapped, err);
      (void)err;
      out.text.append(buf, static_cast<std::size_t>(len));
      // Inside a multi-code-point cluster the output maps to the cluster's
      // code point of the same rank when there is one.
      const std::size_t src = single ? i : std::min(i + static_cast<std::size_t>(produced), j - 1);
      out.to_orig.push_back(static_cast<int32_t>(src));
      ++produced;
    }
    i = j;
  }
  out.to_orig.push_back(static_cast<int32_t>(m));
  return out;
}

}  // namespace quoteframe::text
