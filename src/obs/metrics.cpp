#include "obs/metrics.hpp"

#include <charconv>
#include <cmath>

namespace sqlgate::obs {
namespace {

std::string_view type_name(MetricType type) {
    switch (type) {
        case MetricType::counter:
            return "counter";
        case MetricType::gauge:
            return "gauge";
        case MetricType::histogram:
            return "histogram";
    }
    return "untyped";
}

// Backslash and newline escaped, and double quotes too in label values.
void append_escaped(std::string& out, std::string_view text, bool quotes) {
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && quotes) {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

}  // namespace

std::uint64_t LatencyHistogram::count() const {
    std::uint64_t total = 0;
    for (const std::uint64_t c : counts_)
        total += c;
    return total;
}

void PrometheusText::family(const MetricFamily& family) {
    out_ += "# HELP ";
    out_ += family.name;
    out_ += ' ';
    append_escaped(out_, family.help, false);  // HELP text escapes no quotes
    out_ += "\n# TYPE ";
    out_ += family.name;
    out_ += ' ';
    out_ += type_name(family.type);
    out_ += '\n';
}

void PrometheusText::labels(std::initializer_list<MetricLabel> labels, std::string_view le) {
    if (labels.size() == 0 && le.empty()) return;
    out_ += '{';
    bool first = true;
    const auto one = [&](std::string_view name, std::string_view value) {
        if (!first) out_ += ',';
        first = false;
        out_ += name;
        out_ += "=\"";
        append_escaped(out_, value, true);
        out_ += '"';
    };
    for (const auto& [name, value] : labels)
        one(name, value);
    if (!le.empty()) one("le", le);
    out_ += '}';
}

void PrometheusText::value(double v) {
    out_ += ' ';
    if (std::isnan(v)) {
        out_ += "NaN";
    } else if (std::isinf(v)) {
        out_ += v > 0 ? "+Inf" : "-Inf";
    } else {
        char buffer[32];
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
        out_.append(buffer, ec == std::errc() ? end : buffer);
    }
    out_ += '\n';
}

void PrometheusText::sample(std::string_view name, std::initializer_list<MetricLabel> labels,
                            double v) {
    out_ += name;
    this->labels(labels);
    value(v);
}

void PrometheusText::histogram(std::string_view name, std::initializer_list<MetricLabel> labels,
                               const LatencyHistogram& histogram) {
    std::uint64_t cumulative = 0;
    const auto& counts = histogram.counts();
    for (std::size_t i = 0; i <= kLatencyBuckets.size(); ++i) {
        cumulative += counts[i];
        char bound[32];
        std::string_view le = "+Inf";
        if (i < kLatencyBuckets.size()) {
            const auto [end, ec] = std::to_chars(bound, bound + sizeof bound, kLatencyBuckets[i]);
            le = std::string_view(bound, static_cast<std::size_t>(end - bound));
        }
        out_ += name;
        out_ += "_bucket";
        this->labels(labels, le);
        value(static_cast<double>(cumulative));
    }
    out_ += name;
    out_ += "_sum";
    this->labels(labels);
    value(histogram.sum());
    out_ += name;
    out_ += "_count";
    this->labels(labels);
    value(static_cast<double>(cumulative));
}

}  // namespace sqlgate::obs
