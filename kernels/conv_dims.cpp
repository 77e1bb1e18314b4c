#include <keras/core/errors.h>
#include <keras/kernels/conv_dims.h>

namespace keras::kernels {

std::string geometry_str(const ConvGeometry& g) {
  std::string s;
  auto list = [&](const char* name, const std::vector<int64_t>& v) {
    s += std::string(s.empty() ? "" : ", ") + name + "=(";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    s += v.size() == 1 ? ",)" : ")";
  };
  list("strides", g.strides);
  list("dilation", g.dilation);
  list("padding_l", g.padding_l);
  list("padding_r", g.padding_r);
  return s + ", groups=" + std::to_string(g.groups);
}

ConvDims read_conv_dims(const Shape& src, const Shape& weights, const ConvGeometry& g, const char* kernel) {
  auto fail = [&](const std::string& why) {
    return ValueError(std::string(kernel) + ": " + why + " (src " + src.str() + ", weights " + weights.str() + ", " +
                      geometry_str(g) + ")");
  };
  ConvDims d;
  if (src.rank() < 3 || src.rank() > 5 || weights.rank() != src.rank()) {
    throw fail("expected src and weights of equal rank 3, 4 or 5");
  }
  d.nsp = static_cast<size_t>(src.rank() - 2);
  if (g.strides.size() != d.nsp || g.dilation.size() != d.nsp || g.padding_l.size() != d.nsp ||
      g.padding_r.size() != d.nsp) {
    throw fail("expected one stride, dilation and padding per spatial axis");
  }
  const auto& sd = src.dims();
  d.n = sd[0];
  d.c = g.channels_first ? sd[1] : sd.back();
  d.groups = g.groups;
  d.o = weights.dims().back();
  const int64_t cg = weights.dims()[d.nsp];
  if (g.groups <= 0 || d.c != cg * g.groups || d.o % g.groups != 0) {
    throw fail("channels do not match: src has " + std::to_string(d.c) + ", weights take " + std::to_string(cg) +
               " per group and give " + std::to_string(d.o));
  }
  for (size_t i = 0; i < d.nsp; ++i) {
    const int64_t in = sd[g.channels_first ? i + 2 : i + 1];
    const int64_t k = weights.dims()[i];
    if (g.strides[i] <= 0 || g.dilation[i] <= 0 || k <= 0) throw fail("strides, dilation and kernel must be positive");
    if (g.padding_l[i] < 0 || g.padding_r[i] < 0) throw fail("padding must not be negative");
    const int64_t span = in + g.padding_l[i] + g.padding_r[i] - ((k - 1) * g.dilation[i] + 1);
    d.in.push_back(in);
    d.k.push_back(k);
    d.out.push_back(span < 0 ? 0 : span / g.strides[i] + 1);
  }
  return d;
}

}  // namespace keras::kernels
