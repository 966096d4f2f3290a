// User names from an /etc/passwd file, read directly (as runc's Go user
// lookup does) rather than through NSS: hull is a static executable, and
// getpwuid there would need glibc's NSS modules at run time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace hull::util {

// The name of the first entry of passwd-format TEXT whose uid is UID.
std::optional<std::string> user_name_in(std::string_view text, uid_t uid);
// The same from the file PATH (nullopt when it is unreadable).
std::optional<std::string> user_name(uid_t uid, const char *path = "/etc/passwd");

} // namespace hull::util
