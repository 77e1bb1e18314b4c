#pragma once
/// keras::callbacks: the Callback base and every built-in callback.
#include <keras/callbacks/backup_and_restore.h>
#include <keras/callbacks/callback.h>
#include <keras/callbacks/csv_logger.h>
#include <keras/callbacks/early_stopping.h>
#include <keras/callbacks/lambda_callback.h>
#include <keras/callbacks/learning_rate_scheduler.h>
#include <keras/callbacks/model_checkpoint.h>
#include <keras/callbacks/progbar_logger.h>
#include <keras/callbacks/reduce_lr_on_plateau.h>
#include <keras/callbacks/save_freq.h>
#include <keras/callbacks/terminate_on_nan.h>
