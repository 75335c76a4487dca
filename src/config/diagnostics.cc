#include "config/diagnostics.h"

#include <algorithm>
#include <limits>

namespace agentgate::config {

void Diagnostics::error(const ConfigNode& at, std::string message) {
  error(at.mark(), at.path(), std::move(message));
}

void Diagnostics::error(Mark mark, std::string path, std::string message) {
  errors_.push_back(Diagnostic{std::move(mark), std::move(path), std::move(message)});
}

std::string Diagnostics::report() const {
  // Reported in source order so the report reads top to bottom like the file; errors without a
  // position (line 0) keep their relative order after the positioned ones of the same file.
  std::vector<const Diagnostic*> sorted;
  sorted.reserve(errors_.size());
  for (const auto& d : errors_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->mark.file != b->mark.file) return a->mark.file < b->mark.file;
    int la = a->mark.line == 0 ? std::numeric_limits<int>::max() : a->mark.line;
    int lb = b->mark.line == 0 ? std::numeric_limits<int>::max() : b->mark.line;
    if (la != lb) return la < lb;
    return a->mark.column < b->mark.column;
  });
  std::string out;
  for (const Diagnostic* d : sorted) {
    std::string where = d->mark.file;
    if (d->mark.line > 0) {
      where += (where.empty() ? "" : ":") + std::to_string(d->mark.line);
      if (d->mark.column > 0) where += ":" + std::to_string(d->mark.column);
    }
    if (!where.empty()) out += where + ": ";
    if (!d->path.empty()) out += d->path + ": ";
    out += d->message;
    out += '\n';
  }
  return out;
}

}  // namespace agentgate::config
