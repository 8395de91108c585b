#include "quoteframe/lexicon/phrases.hpp"

#include <algorithm>

#include <unicode/unistr.h>

#include "quoteframe/text/normalize.hpp"

namespace quoteframe::lexicon {
namespace {

uint64_t hash16(std::u16string_view s) noexcept {
  // FNV-1a over code units, then a final mix so low bits are usable.
  uint64_t h = 1469598103934665603ULL;
  for (char16_t c : s) {
    h ^= static_cast<uint64_t>(c);
    h *= 1099511628211ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

std::vector<Clitic> parse_clitics(const std::vector<std::string>& entries) {
  auto fold16 = [](const std::string& s) {
    const std::string f = text::Folder::shared().fold_utf8(s);
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(f);
    return std::u16string(reinterpret_cast<const char16_t*>(u.getBuffer()), static_cast<std::size_t>(u.length()));
  };
  std::vector<Clitic> out;
  for (const auto& c : entries) {
    const auto eq = c.find('=');
    out.push_back(Clitic{fold16(c.substr(0, eq)), eq == std::string::npos ? std::u16string() : fold16(c.substr(eq + 1))});
  }
  return out;
}

int32_t StringIds::find(std::u16string_view s) const noexcept {
  if (slots_.empty()) return -1;
  const uint64_t h = hash16(s);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const int32_t id = slots_[i];
    if (id < 0) return -1;
    if (hashes_[static_cast<std::size_t>(id)] == h && strings_[static_cast<std::size_t>(id)] == s) return id;
  }
}

int32_t StringIds::insert(std::u16string_view s) {
  const int32_t found = find(s);
  if (found >= 0) return found;
  if ((strings_.size() + 1) * 2 > slots_.size()) grow();
  const int32_t id = static_cast<int32_t>(strings_.size());
  strings_.emplace_back(s);
  const uint64_t h = hash16(s);
  hashes_.push_back(h);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = h & mask;
  while (slots_[i] >= 0) i = (i + 1) & mask;
  slots_[i] = id;
  return id;
}

void StringIds::grow() {
  const std::size_t n = slots_.empty() ? 64 : slots_.size() * 2;
  slots_.assign(n, -1);
  const std::size_t mask = n - 1;
  for (std::size_t id = 0; id < strings_.size(); ++id) {
    std::size_t i = hashes_[id] & mask;
    while (slots_[i] >= 0) i = (i + 1) & mask;
    slots_[i] = static_cast<int32_t>(id);
  }
}

int32_t Vocabulary::add(const text::PatternToken& w) {
  if (w.prefix) {
    const int32_t sid = prefix_.insert(w.form);
    if (static_cast<std::size_t>(sid) == prefix_key_.size()) {
      prefix_key_.push_back(static_cast<int32_t>(kinds_.size()));
      kinds_.push_back(1);
      const auto len = static_cast<uint16_t>(std::min<std::size_t>(w.form.size(), 0xFFFF));
      auto at = std::lower_bound(prefix_lengths_.begin(), prefix_lengths_.end(), len);
      if (at == prefix_lengths_.end() || *at != len) prefix_lengths_.insert(at, len);
    }
    return prefix_key_[static_cast<std::size_t>(sid)];
  }
  const int32_t sid = exact_.insert(w.form);
  if (static_cast<std::size_t>(sid) == exact_key_.size()) {
    exact_key_.push_back(static_cast<int32_t>(kinds_.size()));
    kinds_.push_back(0);
  }
  return exact_key_[static_cast<std::size_t>(sid)];
}

void Vocabulary::add_keys_of(std::u16string_view form, std::vector<int32_t>& out) const {
  const int32_t e = exact_.find(form);
  if (e >= 0) out.push_back(exact_key_[static_cast<std::size_t>(e)]);
  // Only the lengths some wildcard pattern has, up to the whole form:
  // "légitim*" matches "légitim" too.
  for (const uint16_t len : prefix_lengths_) {
    if (len > form.size()) break;
    const int32_t p = prefix_.find(form.substr(0, len));
    if (p >= 0) out.push_back(prefix_key_[static_cast<std::size_t>(p)]);
  }
}

void Vocabulary::keys(const text::Document& doc, const std::vector<Clitic>& clitics, Keys& out) const {
  const std::size_t n = doc.tokens.size();
  out.offsets.assign(1, 0);
  out.offsets.reserve(n + 1);
  out.ids.clear();
  std::u16string rest, rest2;
  auto strip = [](std::u16string_view form, const Clitic& c, std::u16string& to) {
    if (form.size() < c.prefix.size() + 2 || form.compare(0, c.prefix.size(), c.prefix) != 0) return false;
    to.assign(c.replacement);
    to.append(form.substr(c.prefix.size()));
    return true;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const std::u16string_view form = doc.norm(i);
    const std::size_t before = out.ids.size();
    add_keys_of(form, out.ids);
    if (!clitics.empty() && doc.tokens[i].kind == text::TokenKind::Word) {
      // Strip one clitic, then possibly a second ("وب", "ول").
      for (const auto& c1 : clitics) {
        if (!strip(form, c1, rest)) continue;
        add_keys_of(rest, out.ids);
        for (const auto& c2 : clitics)
          if (strip(rest, c2, rest2)) add_keys_of(rest2, out.ids);
      }
      // Keep each key once per token.
      std::sort(out.ids.begin() + static_cast<std::ptrdiff_t>(before), out.ids.end());
      out.ids.erase(std::unique(out.ids.begin() + static_cast<std::ptrdiff_t>(before), out.ids.end()),
                    out.ids.end());
    }
    out.offsets.push_back(static_cast<int32_t>(out.ids.size()));
  }
}

int32_t Trie::child(int32_t node, int32_t key) const noexcept {
  const uint64_t k = (static_cast<uint64_t>(static_cast<uint32_t>(node)) << 32) | static_cast<uint32_t>(key);
  auto it = edges_.find(k);
  return it == edges_.end() ? -1 : it->second;
}

void Trie::add(Vocabulary& vocab, const std::vector<text::PatternToken>& words, int32_t payload) {
  if (words.empty()) return;
  int32_t node = 0;
  for (const auto& w : words) {
    const int32_t key = vocab.add(w);
    if (node == 0) {
      if (static_cast<std::size_t>(key) >= starts_.size()) starts_.resize(static_cast<std::size_t>(key) + 1, 0);
      starts_[static_cast<std::size_t>(key)] = 1;
    }
    const uint64_t k = (static_cast<uint64_t>(static_cast<uint32_t>(node)) << 32) | static_cast<uint32_t>(key);
    auto it = edges_.find(k);
    if (it == edges_.end()) {
      const int32_t next = static_cast<int32_t>(payloads_.size());
      payloads_.emplace_back();
      edges_.emplace(k, next);
      node = next;
    } else {
      node = it->second;
    }
  }
  auto& p = payloads_[static_cast<std::size_t>(node)];
  if (std::find(p.begin(), p.end(), payload) == p.end()) p.push_back(payload);
  ++n_phrases_;
}

Trie::Match Trie::longest_at(const Keys& keys, int32_t i, int32_t limit) const {
  Match best;
  best.first = best.last = i;
  if (n_phrases_ == 0 || i >= limit) return best;
  {
    // Most tokens begin no phrase: check before walking.
    bool may_start = false;
    const auto b = keys.offsets[static_cast<std::size_t>(i)], e = keys.offsets[static_cast<std::size_t>(i) + 1];
    for (int32_t k = b; k < e && !may_start; ++k) {
      const auto key = static_cast<std::size_t>(keys.ids[static_cast<std::size_t>(k)]);
      may_start = key < starts_.size() && starts_[key];
    }
    if (!may_start) return best;
  }
  // Depth-first over the branches that several keys per token open (a
  // token can match several wildcard prefixes). Every branch is a distinct
  // trie path, so the walk is bounded by the trie, not by a fixed stack.
  struct Frame { int32_t node, pos; };
  thread_local std::vector<Frame> stack;
  stack.clear();
  stack.push_back({0, i});
  while (!stack.empty()) {
    const Frame f = stack.back();
    stack.pop_back();
    if (f.pos >= limit) continue;
    const auto b = keys.offsets[static_cast<std::size_t>(f.pos)];
    const auto e = keys.offsets[static_cast<std::size_t>(f.pos) + 1];
    for (int32_t k = b; k < e; ++k) {
      const int32_t c = child(f.node, keys.ids[static_cast<std::size_t>(k)]);
      if (c < 0) continue;
      if (!payloads_[static_cast<std::size_t>(c)].empty() && f.pos + 1 > best.last) {
        best.last = f.pos + 1;
        best.node = c;
      }
      stack.push_back({c, f.pos + 1});
    }
  }
  return best;
}

void Trie::find_all(const Keys& keys, int32_t begin, int32_t end, std::vector<Match>& out) const {
  for (int32_t i = begin; i < end;) {
    const Match m = longest_at(keys, i, end);
    if (m.found()) {
      out.push_back(m);
      i = m.last;
    } else {
      ++i;
    }
  }
}

}  // namespace quoteframe::lexicon
