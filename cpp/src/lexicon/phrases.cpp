#include "quoteframe/lexicon/phrases.hpp"

#include <algorithm>

#include <unicode/unistr.h>

#include "quoteframe/text/normalize.hpp"
#include "quoteframe/util/hash.hpp"

namespace quoteframe::lexicon {
namespace {

uint64_t hash16(std::u16string_view s) noexcept { return util::hash_u16(s); }

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
  const auto tag = static_cast<uint32_t>(h >> 32);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.id < 0) return -1;
    if (slot.tag == tag && strings_[static_cast<std::size_t>(slot.id)] == s) return slot.id;
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
  while (slots_[i].id >= 0) i = (i + 1) & mask;
  slots_[i] = Slot{static_cast<uint32_t>(h >> 32), id};
  return id;
}

void StringIds::grow() {
  const std::size_t n = slots_.empty() ? 64 : slots_.size() * 2;
  slots_.assign(n, Slot{});
  const std::size_t mask = n - 1;
  for (std::size_t id = 0; id < strings_.size(); ++id) {
    std::size_t i = hashes_[id] & mask;
    while (slots_[i].id >= 0) i = (i + 1) & mask;
    slots_[i] = Slot{static_cast<uint32_t>(hashes_[id] >> 32), static_cast<int32_t>(id)};
  }
}

int32_t Vocabulary::add(const text::PatternToken& w) {
  ++version_;
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

void Vocabulary::token_keys(std::u16string_view form, bool word, const std::vector<Clitic>& clitics,
                            std::vector<int32_t>& out) const {
  const std::size_t before = out.size();
  add_keys_of(form, out);
  if (clitics.empty() || !word) return;
  thread_local std::u16string rest, rest2;
  auto strip = [](std::u16string_view f, const Clitic& c, std::u16string& to) {
    if (f.size() < c.prefix.size() + 2 || f.compare(0, c.prefix.size(), c.prefix) != 0) return false;
    to.assign(c.replacement);
    to.append(f.substr(c.prefix.size()));
    return true;
  };
  // Strip one clitic, then possibly a second ("وب", "ول").
  for (const auto& c1 : clitics) {
    if (!strip(form, c1, rest)) continue;
    add_keys_of(rest, out);
    for (const auto& c2 : clitics)
      if (strip(rest, c2, rest2)) add_keys_of(rest2, out);
  }
  // Keep each key once per token.
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
  out.erase(std::unique(out.begin() + static_cast<std::ptrdiff_t>(before), out.end()), out.end());
}

void KeyMemo::Table::clear() {
  entries.clear();
  arena.clear();
  ids.clear();
  slots.assign(slots.size(), -1);
}

void KeyMemo::Table::grow() {
  util::grow_slots(slots, entries.size(), [this](std::size_t id) { return entries[id].hash; });
}

KeyMemo::Table& KeyMemo::table(const Vocabulary& v, const void* clitics) {
  for (auto& t : tables_) {
    if (t.vocab != &v || t.clitics != clitics) continue;
    if (t.vocab_version != v.version()) {
      t.clear();
      t.vocab_version = v.version();
    }
    return t;
  }
  tables_.emplace_back();
  Table& t = tables_.back();
  t.vocab = &v;
  t.clitics = clitics;
  t.vocab_version = v.version();
  return t;
}

void Vocabulary::keys(const text::Document& doc, const std::vector<Clitic>& clitics, Keys& out,
                      KeyMemo* memo) const {
  const std::size_t n = doc.tokens.size();
  out.offsets.assign(1, 0);
  out.offsets.reserve(n + 1);
  out.ids.clear();
  out.ids.reserve(n);
  out.starts.assign(n, 0);
  if (!memo) {
    for (std::size_t i = 0; i < n; ++i) {
      token_keys(doc.norm(i), doc.tokens[i].kind == text::TokenKind::Word, clitics, out.ids);
      out.offsets.push_back(static_cast<int32_t>(out.ids.size()));
    }
    fill_starts(out);
    return;
  }
  KeyMemo::Table& t = memo->table(*this, &clitics);
  for (std::size_t i = 0; i < n; ++i) {
    const std::u16string_view form = doc.norm(i);
    const bool word = doc.tokens[i].kind == text::TokenKind::Word;
    if (form.size() > KeyMemo::kMaxFormLength) {  // rare: not worth keeping
      const std::size_t before = out.ids.size();
      token_keys(form, word, clitics, out.ids);
      for (std::size_t k = before; k < out.ids.size(); ++k) out.starts[i] |= start_bits(out.ids[k]);
      out.offsets.push_back(static_cast<int32_t>(out.ids.size()));
      continue;
    }
    const uint64_t h = util::hash_u16(form, word ? 1 : 0);
    const KeyMemo::Entry* hit = nullptr;
    if (!t.slots.empty()) {
      const std::size_t mask = t.slots.size() - 1;
      for (std::size_t s = h & mask;; s = (s + 1) & mask) {
        const int32_t id = t.slots[s];
        if (id < 0) break;
        const KeyMemo::Entry& e = t.entries[static_cast<std::size_t>(id)];
        if (e.hash == h && e.word == word && static_cast<std::size_t>(e.form_len) == form.size() &&
            std::u16string_view(t.arena.data() + e.form, form.size()) == form) {
          hit = &e;
          break;
        }
      }
    }
    if (hit) {
      const int32_t* src = t.ids.data() + hit->ids;
      for (int32_t k = 0; k < hit->n_ids; ++k) out.ids.push_back(src[k]);
      out.starts[i] = hit->starts;
    } else {
      const std::size_t before = out.ids.size();
      token_keys(form, word, clitics, out.ids);
      if (t.entries.size() >= KeyMemo::kMaxForms || t.ids.size() >= KeyMemo::kMaxIds ||
          t.arena.size() >= KeyMemo::kMaxArena)
        t.clear();
      if ((t.entries.size() + 1) * 2 > t.slots.size()) t.grow();
      KeyMemo::Entry e;
      e.hash = h;
      e.word = word;
      e.form = static_cast<int32_t>(t.arena.size());
      e.form_len = static_cast<int32_t>(form.size());
      t.arena.append(form);
      e.ids = static_cast<int32_t>(t.ids.size());
      e.n_ids = static_cast<int32_t>(out.ids.size() - before);
      e.starts = 0;
      for (std::size_t k = before; k < out.ids.size(); ++k) e.starts |= start_bits(out.ids[k]);
      out.starts[i] = e.starts;
      t.ids.insert(t.ids.end(), out.ids.begin() + static_cast<std::ptrdiff_t>(before), out.ids.end());
      t.slots[util::free_slot(t.slots, h)] = static_cast<int32_t>(t.entries.size());
      t.entries.push_back(e);
    }
    out.offsets.push_back(static_cast<int32_t>(out.ids.size()));
  }
}

void Vocabulary::fill_starts(Keys& out) const {
  const std::size_t n = out.n_tokens();
  for (std::size_t i = 0; i < n; ++i) {
    uint64_t bits = 0;
    for (int32_t k = out.offsets[i]; k < out.offsets[i + 1]; ++k) bits |= start_bits(out.ids[static_cast<std::size_t>(k)]);
    out.starts[i] = bits;
  }
}

void Vocabulary::mark_start(int32_t key, uint64_t bit) {
  if (static_cast<std::size_t>(key) >= start_bits_.size()) start_bits_.resize(static_cast<std::size_t>(key) + 1, 0);
  start_bits_[static_cast<std::size_t>(key)] |= bit;
  ++version_;
}

namespace {
inline std::size_t edge_slot(uint64_t k, std::size_t mask) noexcept {
  return static_cast<std::size_t>((k * 0x9E3779B97F4A7C15ULL) >> 29) & mask;
}
}  // namespace

int32_t Trie::child(int32_t node, int32_t key) const noexcept {
  if (edges_.empty()) return -1;
  const uint64_t k = edge_key(node, key);
  const std::size_t mask = edges_.size() - 1;
  for (std::size_t i = edge_slot(k, mask);; i = (i + 1) & mask) {
    const Edge& e = edges_[i];
    if (e.from == k) return e.to;
    if (e.to < 0) return -1;
  }
}

void Trie::grow_edges() {
  std::vector<Edge> old = std::move(edges_);
  edges_.assign(old.empty() ? 64 : old.size() * 2, Edge{});
  const std::size_t mask = edges_.size() - 1;
  for (const Edge& e : old) {
    if (e.to < 0) continue;
    std::size_t i = edge_slot(e.from, mask);
    while (edges_[i].to >= 0) i = (i + 1) & mask;
    edges_[i] = e;
  }
}

void Trie::add(Vocabulary& vocab, const std::vector<text::PatternToken>& words, int32_t payload) {
  if (words.empty()) return;
  if (bit_ == 0) bit_ = vocab.register_trie();
  int32_t node = 0;
  for (const auto& w : words) {
    const int32_t key = vocab.add(w);
    if (node == 0) {
      if (static_cast<std::size_t>(key) >= starts_.size()) starts_.resize(static_cast<std::size_t>(key) + 1, 0);
      starts_[static_cast<std::size_t>(key)] = 1;
      vocab.mark_start(key, bit_);
    }
    const int32_t found = child(node, key);
    if (found >= 0) {
      node = found;
      continue;
    }
    if ((n_edges_ + 1) * 2 > edges_.size()) grow_edges();
    const int32_t next = static_cast<int32_t>(payloads_.size());
    payloads_.emplace_back();
    const uint64_t k = edge_key(node, key);
    const std::size_t mask = edges_.size() - 1;
    std::size_t i = edge_slot(k, mask);
    while (edges_[i].to >= 0) i = (i + 1) & mask;
    edges_[i] = Edge{k, next};
    ++n_edges_;
    node = next;
  }
  auto& p = payloads_[static_cast<std::size_t>(node)];
  if (std::find(p.begin(), p.end(), payload) == p.end()) p.push_back(payload);
  ++n_phrases_;
}

bool Trie::may_start(const Keys& keys, int32_t i) const noexcept {
  const auto u = static_cast<std::size_t>(i);
  if (!keys.starts.empty() && (keys.starts[u] & bit_) == 0) return false;
  for (int32_t k = keys.offsets[u], e = keys.offsets[u + 1]; k < e; ++k) {
    const auto key = static_cast<std::size_t>(keys.ids[static_cast<std::size_t>(k)]);
    if (key < starts_.size() && starts_[key]) return true;
  }
  return false;
}

Trie::Match Trie::longest_at(const Keys& keys, int32_t i, int32_t limit) const {
  if (n_phrases_ == 0 || i >= limit || !may_start(keys, i)) return Match{i, i, -1};
  return walk(keys, i, limit);
}

Trie::Match Trie::walk(const Keys& keys, int32_t i, int32_t limit) const {
  Match best{i, i, -1};
  // Depth-first over the branches that several keys per token open (a
  // token can match several wildcard prefixes). Every branch is a distinct
  // trie path, so the walk is bounded by the trie. The stack lives in a
  // small array and spills to the heap only for unusually bushy walks.
  struct Frame { int32_t node, pos; };
  constexpr std::size_t kLocal = 32;
  Frame local[kLocal];
  std::vector<Frame> spill;
  std::size_t top = 0;
  auto push = [&](Frame f) {
    if (top < kLocal) local[top] = f;
    else spill.push_back(f);
    ++top;
  };
  push({0, i});
  while (top > 0) {
    --top;
    Frame f;
    if (top < kLocal) {
      f = local[top];
    } else {
      f = spill.back();
      spill.pop_back();
    }
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
      push({c, f.pos + 1});
    }
  }
  return best;
}

void Trie::find_all(const Keys& keys, int32_t begin, int32_t end, std::vector<Match>& out) const {
  if (n_phrases_ == 0) return;
  for (int32_t i = begin; i < end;) {
    if (!may_start(keys, i)) {
      ++i;
      continue;
    }
    const Match m = walk(keys, i, end);
    if (m.found()) {
      out.push_back(m);
      i = m.last;
    } else {
      ++i;
    }
  }
}

}  // namespace quoteframe::lexicon
