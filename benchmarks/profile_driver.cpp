// A small driver for profilers (callgrind, perf): runs the whole chain of the
// C++ core on a folder of .txt files, N times, single-threaded.
//   profile_driver DATA_DIR CODEBOOK.toml CORPUS_DIR [repeats]
#include <dirent.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/pipeline/analyzer.hpp"
#include "quoteframe/scoring/lexicon.hpp"
#include "quoteframe/text/language.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: profile_driver DATA_DIR CODEBOOK CORPUS_DIR [repeats]\n";
    return 2;
  }
  using namespace quoteframe;
  const std::string data = argv[1];
  auto langs = std::make_shared<const text::LanguageRegistry>(text::LanguageRegistry::from_directory(data + "/lang"));
  auto lex = std::make_shared<const scoring::LexiconRegistry>(scoring::LexiconRegistry::from_directory(data + "/lexicon"));
  auto cb = std::make_shared<const codebook::Codebook>(codebook::load_codebook(argv[2]));
  pipeline::Analyzer an(langs, cb, lex);
  std::vector<pipeline::DocInput> docs;
  DIR* dp = opendir(argv[3]);
  if (!dp) return 2;
  while (dirent* e = readdir(dp)) {
    std::string name = e->d_name;
    if (name.size() < 5 || name.substr(name.size() - 4) != ".txt") continue;
    std::ifstream f(std::string(argv[3]) + "/" + name, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    docs.push_back({name, ss.str(), ""});
  }
  closedir(dp);
  const int repeats = argc > 4 ? std::stoi(argv[4]) : 1;
  std::size_t bytes = 0, quotes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < repeats; ++r) {
    const auto b = an.analyze(docs, 1);
    quotes += b.quotes.size();
    for (const auto& d : docs) bytes += d.text.size();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << docs.size() << " documents x " << repeats << ": " << bytes / 1e6 << " MB, " << quotes << " quotes, "
            << s << " s, " << bytes / 1e6 / s << " MB/s\n";
  return 0;
}
