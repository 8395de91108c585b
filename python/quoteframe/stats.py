"""Statistics of a framing study: agreement, keyness, tests, intervals, scaling.

Every function here is a thin, checked wrapper around the compiled core
(``quoteframe._core.stats``): arguments are converted to numpy arrays, the
work runs in C++ without the GIL, and results come back as numpy arrays or
small named tuples. Resampling is reproducible: the same ``seed`` gives the
same numbers on every platform and for any number of threads (the generator,
xoshiro256** seeded by SplitMix64, is specified in
``cpp/include/quoteframe/stats/random.hpp``).

Bad input raises :class:`ValueError` saying what was wrong.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _core

__all__ = [
    "BootstrapResult",
    "LogOddsResult",
    "PermutationResult",
    "WordfishResult",
    "benjamini_hochberg",
    "bootstrap_ci",
    "cohen_kappa",
    "jensen_shannon",
    "krippendorff_alpha",
    "log_odds_z",
    "permutation_test",
    "wordfish",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")

_st = _core.stats


# ---------------------------------------------------------------- helpers


def _seed(seed: Any) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (numbers.Integral, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    seed = int(seed)
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed must be in [0, 2**64), got {seed}")
    return seed


def _count(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _vector(x: Any, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def _matrix(x: Any, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional, got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def _is_numeric(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "biuf"


def _codes_from_labels(values: np.ndarray) -> np.ndarray:
    """Float codes for arbitrary hashable labels; missing labels become NaN."""
    flat = pd.Series(values.ravel(), dtype=object)
    codes, _ = pd.factorize(flat, sort=False, use_na_sentinel=True)
    out = codes.astype(np.float64)
    out[codes < 0] = np.nan
    return out.reshape(values.shape)


def _label_matrix(data: Any, level: str) -> np.ndarray:
    """coders x units float matrix; non-numeric labels are allowed for nominal data."""
    if isinstance(data, pd.DataFrame):
        data = data.to_numpy()
    arr = np.asarray(data, dtype=object if not hasattr(data, "dtype") else None)
    if arr.ndim != 2:
        raise ValueError(f"data must be two-dimensional (coders x units), got shape {arr.shape}")
    if _is_numeric(arr):
        return np.ascontiguousarray(arr, dtype=np.float64)
    try:
        return np.ascontiguousarray(arr.astype(np.float64))
    except (TypeError, ValueError):
        if level != "nominal":
            raise ValueError(
                f"{level} data must be numeric; only nominal labels may be strings"
            ) from None
        return np.ascontiguousarray(_codes_from_labels(arr))


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    return level


# ---------------------------------------------------------------- agreement


def krippendorff_alpha(data: Any, level: str = "nominal") -> float:
    r"""Krippendorff's alpha for any number of coders, with missing values.

    Parameters
    ----------
    data : array-like, shape (coders, units)
        ``data[i, u]`` is the value coder ``i`` gave unit ``u``; NaN or None
        marks a missing value. For the nominal level the labels may be any
        hashable objects (strings, ...); other levels need numbers.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement; it chooses the difference function
        :math:`\delta^2_{ck}`: nominal :math:`[c \ne k]`, interval
        :math:`(c-k)^2`, ratio :math:`((c-k)/(c+k))^2`, ordinal
        :math:`(\sum_{g=c}^{k} n_g - (n_c+n_k)/2)^2` on ranks.

    Returns
    -------
    float
        :math:`\alpha = 1 - D_o / D_e` with
        :math:`D_o = \frac{1}{n}\sum_{c,k} o_{ck}\,\delta^2_{ck}` and
        :math:`D_e = \frac{1}{n(n-1)}\sum_{c,k} n_c n_k\,\delta^2_{ck}`, where
        :math:`o_{ck}` is the coincidence matrix (each unit with
        :math:`m_u \ge 2` values adds its ordered pairs of values from
        different coders with weight :math:`1/(m_u-1)`), :math:`n_c` its
        margins and :math:`n` the number of pairable values. NaN when all
        pairable values are equal (alpha is undefined).

    Raises
    ------
    ValueError
        Unknown level; no unit coded twice; infinite values; negative values
        at the ratio level; strings at a non-nominal level.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
    Annenberg School for Communication, University of Pennsylvania.

    Examples
    --------
    The worked example of Krippendorff (2011), 4 coders x 12 units:

    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(data, "nominal"), 3)
    0.743
    >>> round(krippendorff_alpha(data, "interval"), 3)
    0.849
    """
    _check_level(level)
    return float(_st.krippendorff_alpha(_label_matrix(data, level), level))


def cohen_kappa(a: Any, b: Any) -> float:
    r"""Cohen's kappa between two coders' nominal labels.

    :math:`\kappa = (p_o - p_e) / (1 - p_e)`, with :math:`p_o` the share of
    units on which the coders agree and :math:`p_e = \sum_c p_a(c)\,p_b(c)`
    the agreement expected from their label frequencies. Units where either
    label is missing (None or NaN) are dropped.

    Parameters
    ----------
    a, b : array-like of labels, same length
        Any hashable labels (numbers or strings).

    Returns
    -------
    float
        Kappa; NaN when both coders used one and the same label throughout.

    Raises
    ------
    ValueError
        Lengths differ, or no unit has both labels.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales.
    Educational and Psychological Measurement, 20(1), 37-46.

    Examples
    --------
    >>> round(cohen_kappa(["war", "war", "aid", "aid", "war", "aid"],
    ...                   ["war", "aid", "aid", "aid", "war", "war"]), 4)
    0.3333
    """
    left = np.asarray(a, dtype=object)
    right = np.asarray(b, dtype=object)
    if left.ndim != 1 or right.ndim != 1:
        raise ValueError("cohen_kappa: a and b must be one-dimensional")
    if left.shape != right.shape:
        raise ValueError(f"cohen_kappa: a and b differ in length ({left.size} and {right.size})")
    codes = _codes_from_labels(np.concatenate([left, right]))
    return float(_st.cohen_kappa(codes[: left.size], codes[left.size :]))


# ---------------------------------------------------------------- keyness


class LogOddsResult(NamedTuple):
    """Log-odds ratios and their z-scores, groups x terms."""

    delta: np.ndarray
    z: np.ndarray


def log_odds_z(counts: Any, prior: Any) -> LogOddsResult:
    r"""Log-odds ratio with an informative Dirichlet prior ("Fightin' Words").

    Each group is compared with all other groups pooled. For group :math:`i`
    and term :math:`w`, with counts :math:`y_w`, total :math:`n`, the same
    for the rest :math:`y'_w, n'`, prior pseudo-counts :math:`a_w` and
    :math:`a_0 = \sum_w a_w`:

    .. math::

        \delta_w = \log\frac{y_w + a_w}{n + a_0 - y_w - a_w}
                 - \log\frac{y'_w + a_w}{n' + a_0 - y'_w - a_w},\qquad
        \sigma^2_w \approx \frac{1}{y_w + a_w} + \frac{1}{y'_w + a_w},\qquad
        z_w = \delta_w / \sigma_w .

    Parameters
    ----------
    counts : array-like, shape (groups, terms)
        Non-negative term counts, at least 2 groups and 2 terms.
    prior : float or array-like, shape (terms,)
        Positive pseudo-counts; a scalar is used for every term.

    Returns
    -------
    LogOddsResult
        ``delta`` and ``z``, both groups x terms. Positive z: the group uses
        the term more than the others.

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words:
    Lexical feature selection and evaluation for identifying the content of
    political conflict. Political Analysis, 16(4), 372-403.

    Examples
    --------
    >>> r = log_odds_z([[2, 0], [1, 3]], prior=1.0)
    >>> round(float(r.delta[0, 0]), 4), round(float(r.z[0, 0]), 4)
    (1.7918, 1.9628)
    """
    y = _matrix(counts, "counts")
    a = np.asarray(prior, dtype=np.float64)
    if a.ndim == 0:
        a = np.full(y.shape[1], float(a))
    delta, z = _st.log_odds_z(y, _vector(a, "prior"))
    return LogOddsResult(delta, z)


# ---------------------------------------------------------------- multiple tests, divergence


def benjamini_hochberg(p: Any) -> np.ndarray:
    r"""Benjamini-Hochberg adjusted p-values (false discovery rate).

    With the :math:`m` p-values sorted, :math:`p_{(1)} \le \dots \le p_{(m)}`,
    :math:`q_{(i)} = \min\bigl(1, \min_{j \ge i} m\,p_{(j)}/j\bigr)`,
    returned in the original order. Rejecting every :math:`q \le Q` keeps
    the expected share of false discoveries at most :math:`Q`. NaN entries
    stay NaN and do not count in :math:`m`.

    Raises
    ------
    ValueError
        A p-value outside [0, 1].

    References
    ----------
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery
    rate. Journal of the Royal Statistical Society B, 57(1), 289-300.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.005, 0.5]).round(3).tolist()
    [0.025, 0.05, 0.05, 0.025, 0.5]
    """
    return np.asarray(_st.benjamini_hochberg(_vector(p, "p")))


def jensen_shannon(p: Any, q: Any) -> float:
    r"""Jensen-Shannon divergence, in bits, between two weight vectors.

    :math:`JS(P, Q) = \tfrac12 KL(P\,\|\,M) + \tfrac12 KL(Q\,\|\,M)`,
    :math:`M = (P + Q)/2`, :math:`KL(P\,\|\,M) = \sum_i p_i \log_2(p_i/m_i)`
    with :math:`0 \log 0 = 0`. Both inputs are normalised to sum to 1 first,
    so counts or scores can be passed directly. The result is in [0, 1]:
    0 for identical profiles, 1 for profiles with no category in common.

    Raises
    ------
    ValueError
        Different lengths, negative weights, or a vector summing to 0.

    References
    ----------
    Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE
    Transactions on Information Theory, 37(1), 145-151.

    Examples
    --------
    >>> jensen_shannon([1, 2, 3], [2, 4, 6])
    0.0
    >>> jensen_shannon([1, 0], [0, 5])
    1.0
    """
    return float(_st.jensen_shannon(_vector(p, "p"), _vector(q, "q")))


# ---------------------------------------------------------------- resampling


class PermutationResult(NamedTuple):
    """Observed difference of means, its two-sided p-value, and the group order."""

    statistic: float
    pvalue: float
    groups: Tuple[Any, Any]


def permutation_test(values: Any, groups: Any, n_perm: int = 10000, seed: int = 0) -> PermutationResult:
    r"""Two-sample permutation test for a difference of means.

    The statistic is :math:`\bar x_A - \bar x_B`, where A is the first of the
    two labels in sorted order (reported in ``groups``). The labels are
    randomly reassigned ``n_perm`` times, and

    .. math:: p = \frac{1 + \#\{t : |d_t| \ge |d_{obs}|\}}{1 + n_{perm}},

    which is never 0 (Phipson & Smyth 2010). Differences equal to the
    observed one up to rounding count as ties.

    Parameters
    ----------
    values : array-like of float
        One finite value per observation.
    groups : array-like
        One label per observation; exactly two distinct labels.
    n_perm : int
        Number of random relabellings.
    seed : int
        Seed of the generator; same seed, same p on every machine.

    Raises
    ------
    ValueError
        Lengths differ, not exactly two labels, non-finite values.

    References
    ----------
    Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be
    zero. Statistical Applications in Genetics and Molecular Biology, 9(1).

    Examples
    --------
    >>> r = permutation_test([1, 2, 3, 4, 5, 9], ["a", "a", "a", "b", "b", "b"],
    ...                      n_perm=20000, seed=1)
    >>> r.statistic, r.groups
    (-4.0, ('a', 'b'))
    >>> abs(r.pvalue - 0.1) < 0.01   # the exact p is 2/20
    True
    """
    x = _vector(values, "values")
    labels = np.asarray(groups, dtype=object)
    if labels.ndim != 1 or labels.size != x.size:
        raise ValueError(
            f"permutation_test: values and groups differ in length ({x.size} and {labels.size})"
        )
    codes, uniques = pd.factorize(pd.Series(labels, dtype=object), sort=True)
    if (codes < 0).any():
        raise ValueError("permutation_test: groups contains missing labels")
    if len(uniques) != 2:
        raise ValueError(
            f"permutation_test: groups must hold exactly 2 distinct labels, got {len(uniques)}"
        )
    stat, p = _st.permutation_test(x, codes.astype(np.int64), _count(n_perm, "n_perm"), _seed(seed))
    return PermutationResult(float(stat), float(p), (uniques[0], uniques[1]))


class BootstrapResult(NamedTuple):
    """A mean and its percentile bootstrap interval."""

    estimate: float
    low: float
    high: float


def bootstrap_ci(
    values: Any,
    clusters: Optional[Any] = None,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> BootstrapResult:
    r"""Percentile bootstrap confidence interval for a mean, by cluster if given.

    Each replicate draws :math:`C` clusters with replacement (weights
    :math:`w_c`) and computes :math:`\sum_c w_c S_c / \sum_c w_c N_c` from
    the cluster sums :math:`S_c` and sizes :math:`N_c`; the interval is the
    :math:`(1-\text{level})/2` and :math:`(1+\text{level})/2` quantiles of the
    replicates (linear interpolation, as ``numpy.quantile``). Resample whole
    articles when quotes from one article are alike; treating them as
    independent makes intervals too narrow.

    Parameters
    ----------
    values : array-like of float
        Finite values.
    clusters : array-like, optional
        One cluster label per value (for example the article id). Without
        it every value is its own cluster.
    n_boot : int
        Number of replicates.
    level : float
        Confidence level in (0, 1).
    seed : int
        Seed of the generator (replicate ``r`` uses stream ``r``).

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap,
    ch. 13. Davison, A. C., & Hinkley, D. V. (1997). Bootstrap Methods and
    their Application, section 3.8 (clustered data).

    Examples
    --------
    >>> r = bootstrap_ci([2.0, 2.0, 2.0])
    >>> (r.estimate, r.low, r.high)
    (2.0, 2.0, 2.0)
    >>> r = bootstrap_ci([1, 2, 3, 10, 11, 12], clusters=[1, 1, 1, 2, 2, 2], seed=3)
    >>> r.estimate, r.low <= r.estimate <= r.high
    (6.5, True)
    """
    x = _vector(values, "values")
    if clusters is None:
        codes = np.empty(0, dtype=np.int64)
    else:
        labels = np.asarray(clusters, dtype=object)
        if labels.ndim != 1 or labels.size != x.size:
            raise ValueError(
                f"bootstrap_ci: values and clusters differ in length ({x.size} and {labels.size})"
            )
        codes, _ = pd.factorize(pd.Series(labels, dtype=object), sort=True)
        if (codes < 0).any():
            raise ValueError("bootstrap_ci: clusters contains missing labels")
        codes = codes.astype(np.int64)
    est, low, high = _st.bootstrap_ci(x, codes, _count(n_boot, "n_boot"), float(level), _seed(seed))
    return BootstrapResult(float(est), float(low), float(high))


# ---------------------------------------------------------------- scaling


@dataclass(frozen=True)
class WordfishResult:
    """A fitted Wordfish model (see :func:`wordfish`)."""

    theta: np.ndarray
    theta_se: np.ndarray
    alpha: np.ndarray
    psi: np.ndarray
    beta: np.ndarray
    log_likelihood: float
    iterations: int
    converged: bool
    docs: Optional[pd.Index] = None
    words: Optional[pd.Index] = None

    def positions(self) -> pd.DataFrame:
        """Document positions with standard errors, one row per document."""
        return pd.DataFrame({"theta": self.theta, "se": self.theta_se}, index=self.docs)


def wordfish(
    counts: Any,
    dir: Tuple[int, int] = (0, 1),
    max_iter: int = 1000,
    tol: float = 1e-6,
    beta_prior_sd: float = 3.0,
    theta_prior_sd: float = 1.0,
) -> WordfishResult:
    r"""Wordfish: one-dimensional positions from word counts alone.

    The Poisson scaling model of Slapin & Proksch (2008):

    .. math:: y_{ij} \sim \mathrm{Poisson}(\lambda_{ij}),\qquad
              \log\lambda_{ij} = \alpha_i + \psi_j + \beta_j\theta_i,

    for document (or side, outlet, speaker) :math:`i` and word :math:`j`.
    Identified by :math:`\alpha_0 = 0` and :math:`\theta` standardised to
    mean 0 and sd 1; the sign is chosen so that
    ``theta[dir[0]] < theta[dir[1]]``. Fitted by alternating conditional
    maximisation (Newton steps per word, then per document, accelerated with
    SQUAREM), with ridge priors :math:`\beta_j \sim N(0, 3^2)` and
    :math:`\theta_i \sim N(0, 1)` during the fit as in quanteda. Standard
    errors come from each document's information matrix with the word
    parameters held fixed; they are too small when words are few.

    Parameters
    ----------
    counts : array-like or DataFrame, shape (documents, words)
        Non-negative counts; every document and word needs a positive total.
        A DataFrame's index and columns are kept as ``docs`` and ``words``.
    dir : (int, int)
        Positions (row numbers) of two documents defining the direction.
    max_iter : int
        Maximum number of sweeps.
    tol : float
        Stop when no standardised position moves by ``tol`` in one step.
    beta_prior_sd, theta_prior_sd : float
        Prior standard deviations.

    References
    ----------
    Slapin, J. B., & Proksch, S.-O. (2008). A scaling model for estimating
    time-series party positions from texts. American Journal of Political
    Science, 52(3), 705-722. Varadhan, R., & Roland, C. (2008). Simple and
    globally convergent methods for accelerating the convergence of any EM
    algorithm. Scandinavian Journal of Statistics, 35(2), 195-219.

    Examples
    --------
    >>> counts = [[9, 1, 5, 1], [7, 3, 5, 2], [4, 5, 5, 5], [1, 9, 5, 8]]
    >>> fit = wordfish(counts, dir=(0, 3))
    >>> bool(fit.converged), bool(fit.theta[0] < fit.theta[3])
    (True, True)
    >>> [int(i) for i in fit.theta.argsort()]
    [0, 1, 2, 3]
    """
    docs = words = None
    if isinstance(counts, pd.DataFrame):
        docs, words = counts.index, counts.columns
    y = _matrix(counts, "counts")
    try:
        dir_i, dir_j = (int(d) for d in dir)
    except (TypeError, ValueError):
        raise ValueError(f"dir must be a pair of document positions, got {dir!r}") from None
    r = _st.wordfish(
        y, dir_i, dir_j, _count(max_iter, "max_iter"), float(tol), float(beta_prior_sd), float(theta_prior_sd)
    )
    return WordfishResult(
        theta=r["theta"],
        theta_se=r["theta_se"],
        alpha=r["alpha"],
        psi=r["psi"],
        beta=r["beta"],
        log_likelihood=float(r["log_likelihood"]),
        iterations=int(r["iterations"]),
        converged=bool(r["converged"]),
        docs=docs,
        words=words,
    )
