// `--overlay HOST:/path`: a scratch copy of a host directory. The
// createContainer hook mounts an overlay (HOST as the read-only lower dir,
// a fresh upper dir under the bundle) at /path inside the container's mount
// namespace; it vanishes with that namespace, and the poststop hook removes
// the upper dir. A killed container therefore leaves no mount, and
// `hull delete -f` (which runs poststop) or `bundle rm` removes the rest.
#pragma once

#include <string>

namespace hull::storage {

// Reads the OCI state JSON from stdin.
void overlay_mount_hook(const std::string &host, const std::string &dest, const std::string &n);
void overlay_cleanup_hook(const std::string &host, const std::string &dest, const std::string &n);

} // namespace hull::storage
