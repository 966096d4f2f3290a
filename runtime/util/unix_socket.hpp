// Unix socket helpers: connect by path, send bytes with one fd attached.
#pragma once

#include <string>

#include "util/unique_fd.hpp"

namespace hull {

// Connects a SOCK_STREAM socket to path. Throws hull::Error("connect to <what> <path>: ...").
unique_fd connect_unix(const std::string &path, const std::string &what);
// Sends payload (non-empty) with fd as SCM_RIGHTS on the first byte, then the rest.
void send_with_fd(int sock, const std::string &payload, int fd, const std::string &what);

} // namespace hull
