#include "pybind11.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "quoteframe's compiled core (private: use the quoteframe package)";
  m.attr("__version__") = QUOTEFRAME_VERSION;
  using namespace quoteframe::bindings;
  register_errors(m);
  register_text(m);
  register_config(m);
  register_stats(m);
  register_analyze(m);
}
