#include <keras/kernels/cpu/dnnl_context.h>

namespace keras::kernels::cpu {

dnnl::engine& dnnl_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& dnnl_stream() {
  static dnnl::stream stream(dnnl_engine());
  return stream;
}

}  // namespace keras::kernels::cpu
