#include "models/common/connection_io.h"

#include "engine/hub/green_io.h"

namespace minicorn::models {

net::IoResult ThreadConnectionIo::recv(int fd, char* buf, std::size_t n) {
    wsgi::Gil::Released no_gil(gil_);
    return net::recv_some(fd, buf, n, on_interrupt_);
}

net::IoResult ThreadConnectionIo::send_all(int fd, std::string_view data) {
    wsgi::Gil::Released no_gil(gil_);
    return net::send_all(fd, data, on_interrupt_);
}

net::IoResult GreenConnectionIo::recv(int fd, char* buf, std::size_t n) {
    return hub::green_recv(fd, buf, n, read_deadline_);
}

net::IoResult GreenConnectionIo::send_all(int fd, std::string_view data) { return hub::green_send_all(fd, data); }

}  // namespace minicorn::models
