#include "pybind11.hpp"

#include <memory>

#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/pipeline/analyzer.hpp"
#include "quoteframe/scoring/lexicon.hpp"
#include "quoteframe/errors.hpp"
#include "quoteframe/text/document.hpp"

namespace quoteframe::bindings {

using pipeline::Analyzer;

namespace {

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

py::list to_list(const std::vector<std::string>& v) {
  py::list out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = py::str(v[i]);
  return out;
}

// A document's text: str (UTF-8; a lone surrogate is kept as invalid bytes so
// the core reports it), or bytes as they are. Anything else (None, NaN) is not
// a text: `error` says so and the document becomes an error row.
std::string text_arg(const py::handle& obj, std::string& error) {
  if (py::isinstance<py::bytes>(obj)) return obj.cast<std::string>();
  if (py::isinstance<py::str>(obj)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(obj.ptr(), &size);
    if (data) return std::string(data, static_cast<std::size_t>(size));
    PyErr_Clear();
    PyObject* raw = PyUnicode_AsEncodedString(obj.ptr(), "utf-8", "surrogatepass");
    if (!raw) {
      PyErr_Clear();
      error = "text cannot be encoded as UTF-8";
      return std::string();
    }
    return py::reinterpret_steal<py::bytes>(raw).cast<std::string>();
  }
  error = "text is " + std::string(py::str(py::type::handle_of(obj).attr("__name__"))) + ", not str or bytes";
  return std::string();
}

// The documents of a call, converted while the GIL is held.
// `errors`, when not empty, holds a message per document that the caller
// could not read (empty: readable); such a document becomes an error row.
std::vector<pipeline::DocInput> doc_inputs(const std::vector<std::string>& ids, const py::sequence& texts,
                                           const std::vector<std::string>& langs,
                                           const std::vector<std::string>& errors = {}) {
  if (ids.size() != static_cast<std::size_t>(py::len(texts)) || langs.size() != ids.size() ||
      (!errors.empty() && errors.size() != ids.size()))
    throw std::invalid_argument("ids, texts, langs (and errors) must have the same length");
  std::vector<pipeline::DocInput> docs(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    docs[i].id = ids[i];
    docs[i].lang = langs[i];
    if (!errors.empty() && !errors[i].empty()) {
      docs[i].error = errors[i];
      continue;
    }
    docs[i].text = text_arg(texts[i], docs[i].error);
  }
  return docs;
}

}  // namespace

void register_analyze(py::module_& m) {
  py::class_<scoring::LexiconRegistry, std::shared_ptr<scoring::LexiconRegistry>>(m, "Lexicons")
      .def_static("from_directory",
                  [](const std::string& dir) {
                    return std::make_shared<scoring::LexiconRegistry>(scoring::LexiconRegistry::from_directory(dir));
                  },
                  py::arg("path"))
      .def(py::init([]() { return std::make_shared<scoring::LexiconRegistry>(); }))
      .def("add_string",
           [](scoring::LexiconRegistry& r, const std::string& toml, const std::string& source) {
             r.add(scoring::parse_lexicon(toml, source));
           },
           py::arg("toml"), py::arg("source") = "<string>")
      .def("codes", &scoring::LexiconRegistry::codes);

  py::class_<Analyzer, std::shared_ptr<Analyzer>>(m, "Analyzer")
      .def(py::init([](std::shared_ptr<text::LanguageRegistry> langs, std::shared_ptr<codebook::Codebook> cb,
                       std::shared_ptr<scoring::LexiconRegistry> lex) {
             py::gil_scoped_release release;
             return std::make_shared<Analyzer>(std::move(langs), std::move(cb), std::move(lex));
           }),
           py::arg("languages"), py::arg("codebook"), py::arg("lexicons"))
      .def_property_readonly("feature_names", [](const Analyzer& a) { return a.scorer().feature_names(); })
      .def("entries",
           [](const Analyzer& a) {
             py::dict d;
             std::vector<std::string> kind, lang, pattern;
             std::vector<int32_t> ref;
             std::vector<float> weight;
             for (const auto& e : a.scorer().entries()) {
               kind.push_back(scoring::entry_kind_name(e.kind));
               lang.push_back(e.lang);
               pattern.push_back(e.pattern);
               ref.push_back(e.ref);
               weight.push_back(e.weight);
             }
             d["kind"] = to_list(kind);
             d["lang"] = to_list(lang);
             d["pattern"] = to_list(pattern);
             d["ref"] = to_numpy(ref);
             d["weight"] = to_numpy(weight);
             return d;
           },
           "Every compiled lexicon entry: kind, language, pattern, frame/target index, weight.")
      .def("mentions",
           [](const Analyzer& an, const std::vector<std::string>& ids, const py::sequence& texts,
              const std::vector<std::string>& langs) {
             const std::vector<pipeline::DocInput> docs = doc_inputs(ids, texts, langs);
             std::vector<int32_t> doc, start, end, index, entry;
             std::vector<uint8_t> kind, description;  // kind: 0 actor, 1 medium, 2 target
             std::vector<std::string> surface;
             {
               py::gil_scoped_release release;
               text::Pipeline pipe(an.languages());
               for (std::size_t i = 0; i < ids.size(); ++i) {
                 if (!docs[i].error.empty()) continue;  // analyze() reports it
                 text::Document d;
                 try {
                   d = pipe.process(docs[i].id, docs[i].text, docs[i].lang);
                 } catch (const InputError&) {
                   continue;  // analyze() reports unreadable documents
                 }
                 for (const auto& m : an.extractor().mentions(d)) {
                   doc.push_back(static_cast<int32_t>(i));
                   start.push_back(d.cp(m.begin));
                   end.push_back(d.cp(m.end));
                   index.push_back(m.index);
                   kind.push_back(m.medium ? 1 : 0);
                   entry.push_back(-1);
                   description.push_back(m.description);
                   surface.push_back(d.slice(m.begin, m.end));
                 }
                 lexicon::Keys keys;
                 an.scorer().keys(d, keys);
                 for (const auto& h : an.scorer().target_mentions(d, keys)) {
                   const int32_t b = d.tokens[static_cast<std::size_t>(h.first)].begin;
                   const int32_t e = d.tokens[static_cast<std::size_t>(h.last - 1)].end;
                   doc.push_back(static_cast<int32_t>(i));
                   start.push_back(d.cp(b));
                   end.push_back(d.cp(e));
                   index.push_back(h.target);
                   kind.push_back(2);
                   entry.push_back(h.entry);
                   description.push_back(0);
                   surface.push_back(d.slice(b, e));
                 }
               }
             }
             py::dict out;
             out["doc"] = to_numpy(doc);
             out["start"] = to_numpy(start);
             out["end"] = to_numpy(end);
             out["index"] = to_numpy(index);
             out["kind"] = to_numpy(kind);
             out["entry"] = to_numpy(entry);
             out["description"] = to_numpy(description);
             out["text"] = to_list(surface);
             return out;
           },
           py::arg("ids"), py::arg("texts"), py::arg("langs"),
           "Every codebook actor, medium and target mention per document (columns; kind 0/1/2).")
      .def("analyze",
           [](const Analyzer& an, const std::vector<std::string>& ids, const py::sequence& texts,
              const std::vector<std::string>& langs, int threads, bool explain,
              const std::vector<std::string>& errors) {
             const std::vector<pipeline::DocInput> docs = doc_inputs(ids, texts, langs, errors);
             pipeline::Batch b;
             {
               py::gil_scoped_release release;
               b = an.analyze(docs, threads, explain);
             }
             py::dict d;
             std::vector<std::string> id, lang, status, error;
             std::vector<int64_t> n_chars, n_quotes;
             for (const auto& r : b.documents) {
               id.push_back(r.id);
               lang.push_back(r.lang);
               status.push_back(r.status);
               error.push_back(r.error);
               n_chars.push_back(r.n_chars);
               n_quotes.push_back(r.n_quotes);
             }
             d["doc_id"] = to_list(id);
             d["lang"] = to_list(lang);
             d["n_chars"] = to_numpy(n_chars);
             d["n_quotes"] = to_numpy(n_quotes);
             d["status"] = to_list(status);
             d["error"] = to_list(error);
             const auto& c = b.quotes;
             py::dict q;
             q["doc"] = to_numpy(c.doc);
             q["index_in_doc"] = to_numpy(c.index_in_doc);
             q["start"] = to_numpy(c.start);
             q["end"] = to_numpy(c.end);
             q["cue_start"] = to_numpy(c.cue_start);
             q["cue_end"] = to_numpy(c.cue_end);
             q["speaker_start"] = to_numpy(c.speaker_start);
             q["speaker_end"] = to_numpy(c.speaker_end);
             q["parent"] = to_numpy(c.parent);
             q["paragraph"] = to_numpy(c.paragraph);
             q["sentence"] = to_numpy(c.sentence);
             q["type"] = to_numpy(c.type);
             q["attribution"] = to_numpy(c.attribution);
             q["nested"] = to_numpy(c.nested);
             q["unclosed"] = to_numpy(c.unclosed);
             q["confidence"] = to_numpy(c.confidence);
             q["actor"] = to_numpy(c.actor);
             q["text"] = to_list(c.text);
             q["cue"] = to_list(c.cue);
             q["speaker"] = to_list(c.speaker);
             q["source"] = to_list(c.source);
             // Features: a (quotes x features) float32 array, zero-copy from Eigen.
             py::array_t<float> feats({static_cast<py::ssize_t>(b.features.rows()), static_cast<py::ssize_t>(b.features.cols())});
             std::copy(b.features.data(), b.features.data() + b.features.size(), feats.mutable_data());
             py::dict h;
             h["quote"] = to_numpy(b.hits.quote);
             h["start"] = to_numpy(b.hits.start);
             h["end"] = to_numpy(b.hits.end);
             h["entry"] = to_numpy(b.hits.entry);
             h["target"] = to_numpy(b.hits.target);
             h["factor"] = to_numpy(b.hits.factor);
             h["flags"] = to_numpy(b.hits.flags);
             h["text"] = to_list(b.hits.text);
             return py::make_tuple(d, q, feats, h);
           },
           py::arg("ids"), py::arg("texts"), py::arg("langs"), py::arg("threads") = 1, py::arg("explain") = false,
           py::arg("errors") = std::vector<std::string>(),
           "Analyse a batch: (documents columns, quotes columns). The GIL is released while it runs.");
}

}  // namespace quoteframe::bindings
