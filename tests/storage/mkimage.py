#!/usr/bin/env python3
"""Writes the test images for tests/storage: an OCI image layout (directory,
or with --tar an oci-archive), a docker-save archive, and hostile variants.

  mkimage.py KIND OUT [--tar]
KIND: layered | big | docker | dotdot | absolute | symlink-through | symlink-up |
      hardlink-escape | device | duplicate | digest-mismatch | truncated | archive-dotdot
"""
import gzip, hashlib, io, json, os, sys, tarfile

BUSYBOX = "/bin/busybox"


def sha(b):
    return hashlib.sha256(b).hexdigest()


def tar_bytes(entries):
    """entries: list of (name, kind, data/target, extra)"""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, kind, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mode = 0o755 if kind in ("dir", "exe") else 0o644
            if kind in ("file", "exe"):
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
                continue
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
            elif kind == "symlink":
                ti.type, ti.linkname = tarfile.SYMTYPE, data
            elif kind == "hardlink":
                ti.type, ti.linkname = tarfile.LNKTYPE, data
            elif kind == "chardev":
                ti.type, ti.devmajor, ti.devminor = tarfile.CHRTYPE, 1, 3
            t.addfile(ti)
    return buf.getvalue()


def base_layer():
    return [("bin", "dir", None), ("bin/busybox", "exe", open(BUSYBOX, "rb").read()),
            ("bin/sh", "symlink", "busybox"), ("tmp", "dir", None)]


def write_layout(out, layers, config_extra=None, tamper=None, as_tar=False):
    blobs = {}

    def add(b):
        d = sha(b)
        blobs[d] = b
        return d

    diff_ids, descs = [], []
    for raw in layers:
        diff_ids.append("sha256:" + sha(raw))
        gz = gzip.compress(raw, mtime=0)
        if tamper == "truncated":
            gz = gz[: len(gz) // 2]  # digest below is of the truncated bytes: consistent, but cut
        d = add(gz)
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                      "digest": "sha256:" + d, "size": len(gz)})
    cfg = {"architecture": "amd64", "os": "linux",
           "config": {"Cmd": ["/bin/busybox", "sh", "-c", "echo hello from image"],
                      "Env": ["FOO=bar"], "WorkingDir": "/work",
                      "Labels": {"org.example.test": "yes"}, "StopSignal": "SIGINT"},
           "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    if config_extra:
        cfg["config"].update(config_extra)
    cb = json.dumps(cfg).encode()
    cd = add(cb)
    man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                      "digest": "sha256:" + cd, "size": len(cb)}, "layers": descs}
    mb = json.dumps(man).encode()
    md = add(mb)
    index = {"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + md,
         "size": len(mb), "annotations": {"org.opencontainers.image.ref.name": "test"}}]}
    if tamper == "digest-mismatch":  # change one byte of the last layer blob, keep its name
        d = descs[-1]["digest"][7:]
        b = bytearray(blobs[d])
        b[len(b) // 2] ^= 0xFF
        blobs[d] = bytes(b)
    files = {"oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode(),
             "index.json": json.dumps(index).encode()}
    for d, b in blobs.items():
        files["blobs/sha256/" + d] = b
    emit(out, files, as_tar)


def emit(out, files, as_tar, extra_tar_entries=()):
    if as_tar:
        with tarfile.open(out, "w") as t:
            for name, b in list(files.items()) + list(extra_tar_entries):
                ti = tarfile.TarInfo(name)
                ti.size = len(b)
                t.addfile(ti, io.BytesIO(b))
        return
    for name, b in files.items():
        p = os.path.join(out, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(b)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    as_tar = "--tar" in sys.argv
    marker = os.environ.get("MARKER", "hull-storage-escape")
    if kind == "layered":
        l1 = base_layer() + [
            ("etc", "dir", None), ("etc/keep", "file", b"keep\n"), ("etc/gone", "file", b"x\n"),
            ("dir", "dir", None), ("dir/a", "file", b"a\n"), ("dir/b", "file", b"b\n"),
            ("opq", "dir", None), ("opq/old1", "file", b"1\n"), ("opq/sub", "dir", None),
            ("opq/sub/old2", "file", b"2\n"), ("dir/hl", "hardlink", "dir/a")]
        l2 = [("etc/.wh.gone", "file", b""), ("etc/added", "file", b"added\n"),
              ("dir/.wh.b", "file", b""), ("opq/.wh..wh..opq", "file", b""),
              ("opq/new", "file", b"new\n")]
        l3 = [("etc/keep", "file", b"keep v3\n")]
        write_layout(out, [tar_bytes(l1), tar_bytes(l2), tar_bytes(l3)], as_tar=as_tar)
    elif kind == "big":  # slow enough to be killed mid-import
        l = base_layer() + [("many", "dir", None)]
        l += [("many/f%05d" % i, "file", os.urandom(512)) for i in range(10000)]
        write_layout(out, [tar_bytes(l)], as_tar=as_tar)
    elif kind == "docker":  # docker save (pre-OCI) layout: manifest.json + <id>/layer.tar
        layer = tar_bytes(base_layer() + [("etc", "dir", None), ("etc/from-docker", "file", b"d\n")])
        cfg = json.dumps({"architecture": "amd64", "os": "linux",
                          "config": {"Cmd": ["/bin/busybox", "cat", "/etc/from-docker"]},
                          "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(layer)]}}).encode()
        files = {sha(cfg) + ".json": cfg, "abc/layer.tar": layer,
                 "manifest.json": json.dumps([{"Config": sha(cfg) + ".json",
                                               "RepoTags": ["dockerimg:v1"],
                                               "Layers": ["abc/layer.tar"]}]).encode()}
        emit(out, files, True)
    elif kind == "archive-dotdot":  # the outer archive itself is hostile
        emit(out, {"index.json": b"{}"}, True, [("../" + marker, b"x")])
    else:
        bad = {
            "dotdot": [("a", "dir", None), ("a/../../" + marker, "file", b"x")],
            "absolute": [("/tmp/" + marker, "file", b"x")],
            "symlink-through": [("lnk", "symlink", "/tmp"), ("lnk/" + marker, "file", b"x")],
            "symlink-up": [("d", "dir", None), ("d/up", "symlink", "../../tmp")],
            "hardlink-escape": [("h", "hardlink", "../../etc/passwd")],
            "device": [("null2", "chardev", None)],
            "duplicate": [("a", "file", b"1"), ("a", "file", b"2")],
            "digest-mismatch": [("a", "file", b"hello" * 1000)],
            "truncated": [("a", "file", os.urandom(200000))],
        }[kind]
        write_layout(out, [tar_bytes(base_layer()), tar_bytes(bad)],
                     tamper=kind if kind in ("digest-mismatch", "truncated") else None,
                     as_tar=as_tar)


main()
