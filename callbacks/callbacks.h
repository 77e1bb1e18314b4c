#pragma once
/// keras::callbacks: the Callback base and every built-in callback.
#include <keras/callbacks/callback.h>
#include <keras/callbacks/progbar_logger.h>
