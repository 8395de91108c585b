#include "pybind11.hpp"

#include <memory>

#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/pipeline/analyzer.hpp"

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

std::string text_arg(const py::handle& obj) {
  if (py::isinstance<py::bytes>(obj)) return obj.cast<std::string>();
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(obj.ptr(), &size);
  if (!data) {
    PyErr_Clear();
    // A lone surrogate: let the core report it as invalid UTF-8 for this document.
    py::bytes b = py::reinterpret_steal<py::bytes>(
        PyUnicode_AsEncodedString(obj.ptr(), "utf-8", "surrogatepass"));
    return b.cast<std::string>();
  }
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

void register_analyze(py::module_& m) {
  py::class_<Analyzer, std::shared_ptr<Analyzer>>(m, "Analyzer")
      .def(py::init([](std::shared_ptr<text::LanguageRegistry> langs, std::shared_ptr<codebook::Codebook> cb) {
             return std::make_shared<Analyzer>(std::move(langs), std::move(cb));
           }),
           py::arg("languages"), py::arg("codebook"))
      .def("analyze",
           [](const Analyzer& an, const std::vector<std::string>& ids, const py::sequence& texts,
              const std::vector<std::string>& langs, int threads) {
             if (ids.size() != static_cast<std::size_t>(py::len(texts)) || langs.size() != ids.size())
               throw std::invalid_argument("ids, texts and langs must have the same length");
             std::vector<pipeline::DocInput> docs(ids.size());
             for (std::size_t i = 0; i < ids.size(); ++i) {
               docs[i].id = ids[i];
               docs[i].text = text_arg(texts[i]);
               docs[i].lang = langs[i];
             }
             pipeline::Batch b;
             {
               py::gil_scoped_release release;
               b = an.analyze(docs, threads);
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
             return py::make_tuple(d, q);
           },
           py::arg("ids"), py::arg("texts"), py::arg("langs"), py::arg("threads") = 1,
           "Analyse a batch: (documents columns, quotes columns). The GIL is released while it runs.");
}

}  // namespace quoteframe::bindings
