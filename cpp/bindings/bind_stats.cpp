#include "pybind11.hpp"

#include <string>

#include "quoteframe/stats/stats.hpp"

namespace quoteframe::bindings {

namespace {

namespace st = quoteframe::stats;

// Arguments arrive already converted (pybind11 maps or copies the numpy
// arrays into the Eigen::Ref parameters while the GIL is held); only then is
// the GIL released for the computation. Nothing below touches a py:: object
// while it is released.

py::tuple log_odds_z(const st::MatrixRef& counts, const st::VectorRef& prior) {
  st::LogOddsResult r;
  {
    py::gil_scoped_release release;
    r = st::log_odds_z(counts, prior);
  }
  return py::make_tuple(std::move(r.delta), std::move(r.z));
}

py::tuple permutation_test(const st::VectorRef& values, const st::LabelRef& groups, std::size_t n_perm,
                           std::uint64_t seed, unsigned n_threads) {
  st::PermutationResult r{};
  {
    py::gil_scoped_release release;
    r = st::permutation_test(values, groups, n_perm, seed, n_threads);
  }
  return py::make_tuple(r.statistic, r.p_value);
}

py::tuple bootstrap_ci(const st::VectorRef& values, const st::LabelRef& clusters, std::size_t n_boot,
                       double level, std::uint64_t seed, unsigned n_threads) {
  st::BootstrapResult r{};
  {
    py::gil_scoped_release release;
    r = st::bootstrap_ci(values, clusters, n_boot, level, seed, n_threads);
  }
  return py::make_tuple(r.estimate, r.low, r.high);
}

py::dict wordfish(const st::MatrixRef& counts, Eigen::Index dir_i, Eigen::Index dir_j, int max_iter,
                  double tol, double beta_prior_sd, double theta_prior_sd) {
  st::WordfishResult r;
  {
    py::gil_scoped_release release;
    r = st::wordfish(counts, dir_i, dir_j, max_iter, tol, beta_prior_sd, theta_prior_sd);
  }
  py::dict d;
  d["theta"] = std::move(r.theta);
  d["theta_se"] = std::move(r.theta_se);
  d["alpha"] = std::move(r.alpha);
  d["psi"] = std::move(r.psi);
  d["beta"] = std::move(r.beta);
  d["log_likelihood"] = r.log_likelihood;
  d["iterations"] = r.iterations;
  d["converged"] = r.converged;
  return d;
}

py::dict compare_groups(const st::MatrixRef& x, const st::LabelRef& group, const st::LabelRef& cluster,
                        Eigen::Index n_groups, std::size_t n_boot, std::size_t n_perm, double level,
                        std::uint64_t seed, unsigned n_threads) {
  st::CompareOptions opt;
  opt.n_boot = n_boot;
  opt.n_perm = n_perm;
  opt.level = level;
  opt.seed = seed;
  opt.n_threads = n_threads;
  st::CompareResult r;
  {
    py::gil_scoped_release release;
    r = st::compare_groups(x, group, cluster, n_groups, opt);
  }
  py::dict d;
  d["mean"] = std::move(r.mean);
  d["ci_low"] = std::move(r.ci_low);
  d["ci_high"] = std::move(r.ci_high);
  d["n"] = std::move(r.n);
  d["clusters"] = std::move(r.clusters);
  d["pairs"] = std::move(r.pairs);
  d["diff"] = std::move(r.diff);
  d["diff_low"] = std::move(r.diff_low);
  d["diff_high"] = std::move(r.diff_high);
  d["p_value"] = std::move(r.p_value);
  d["cohen_d"] = std::move(r.cohen_d);
  d["cliff_delta"] = std::move(r.cliff_delta);
  d["whole_clusters"] = std::move(r.whole_clusters);
  d["mixed_clusters"] = std::move(r.mixed_clusters);
  return d;
}

}  // namespace

void register_stats(py::module_& m) {
  py::module_ s = m.def_submodule("stats", "Statistics of framing studies (private: use quoteframe.stats)");

  s.def("krippendorff_alpha",
        [](const st::MatrixRef& data, const std::string& level) {
          const st::Level lv = st::parse_level(level);
          py::gil_scoped_release release;
          return st::krippendorff_alpha(data, lv);
        },
        py::arg("data"), py::arg("level") = "nominal",
        "Krippendorff's alpha of a coders x units float matrix (NaN = missing).");
  s.def("cohen_kappa",
        [](const st::VectorRef& a, const st::VectorRef& b) {
          py::gil_scoped_release release;
          return st::cohen_kappa(a, b);
        },
        py::arg("a"), py::arg("b"), "Cohen's kappa of two float label vectors (NaN pairs dropped).");
  s.def("log_odds_z", &log_odds_z, py::arg("counts"), py::arg("prior"),
        "(delta, z): groups x terms log-odds ratios with a Dirichlet prior, each group vs the rest.");
  s.def("benjamini_hochberg",
        [](const st::VectorRef& p) {
          py::gil_scoped_release release;
          return st::benjamini_hochberg(p);
        },
        py::arg("p"), "Benjamini-Hochberg adjusted p-values, in the original order.");
  s.def("jensen_shannon",
        [](const st::VectorRef& p, const st::VectorRef& q) {
          py::gil_scoped_release release;
          return st::jensen_shannon(p, q);
        },
        py::arg("p"), py::arg("q"), "Jensen-Shannon divergence in bits of two weight vectors.");
  s.def("permutation_test", &permutation_test, py::arg("values"), py::arg("groups"),
        py::arg("n_perm"), py::arg("seed"), py::arg("n_threads") = 0,
        "(difference of means, two-sided p); groups: int64 labels, exactly two distinct.");
  s.def("bootstrap_ci", &bootstrap_ci, py::arg("values"), py::arg("clusters"), py::arg("n_boot"),
        py::arg("level"), py::arg("seed"), py::arg("n_threads") = 0,
        "(mean, low, high): percentile (cluster) bootstrap; clusters: int64 labels or empty.");
  s.def("wordfish", &wordfish, py::arg("counts"), py::arg("dir_i"), py::arg("dir_j"),
        py::arg("max_iter"), py::arg("tol"), py::arg("beta_prior_sd"), py::arg("theta_prior_sd"),
        "Wordfish fit of a documents x words count matrix; returns a dict of arrays.");
  s.def("compare_groups", &compare_groups, py::arg("x"), py::arg("group"), py::arg("cluster"),
        py::arg("n_groups"), py::arg("n_boot"), py::arg("n_perm"), py::arg("level"), py::arg("seed"),
        py::arg("n_threads") = 0,
        "Per group x feature means with cluster-bootstrap intervals; per pair differences, "
        "permutation p-values, Cohen's d and Cliff's delta. Returns a dict of arrays.");
}

}  // namespace quoteframe::bindings
