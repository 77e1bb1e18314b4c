#pragma once
// The control-flow tracer keras::function installs while it traces (graph::trace): ops::cond,
// ops::while_loop and ops::scan become control nodes whose sub-graphs replay as the values choose.
#include <keras/core/ops/control_flow.h>

namespace keras::graph::detail {

/// The tracer graph::trace installs for its duration; it records only while a trace is recording.
keras::detail::ControlFlowTracer& graph_control_flow();

}  // namespace keras::graph::detail
