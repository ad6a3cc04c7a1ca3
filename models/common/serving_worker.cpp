#include "models/common/serving_worker.h"

namespace minicorn::models {

void ServingWorker::init_serving(bool multithread, ExpectContinue expect_continue) {
    serve_.emplace(ServeContext{log(), cfg(),
                                http::Limits::from_settings(cfg().limit_request_line, cfg().limit_request_fields,
                                                            cfg().limit_request_field_size),
                                app(), gil(), pid(), num_workers(), multithread, ids_, expect_continue});
}

}  // namespace minicorn::models
