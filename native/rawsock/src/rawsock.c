/*
 * haldir's raw socket addon (N-API, C).
 *
 * Why our own: haldir-vrrp needs three things the `raw-socket` package cannot give.
 *  1. Sends that never wait for the receive side. raw-socket emits either "readable"
 *     or "writable" per poll wakeup and only sends while its socket is not readable,
 *     so a steady flood of received packets starves the master's adverts. Here
 *     sendto() is a plain synchronous call (non-blocking socket): an advert leaves
 *     when the timer fires, whatever is queued for receive.
 *  2. Per-packet ancillary data through recvmsg(): the IPv6 hop limit
 *     (IPV6_RECVHOPLIMIT) and destination (IPV6_RECVPKTINFO) that RFC 5798 section
 *     7.1 checks, and the kernel's receive time (SO_TIMESTAMPNS). (IPv4 receives
 *     carry the IP header, with TTL and destination.)
 *  3. AF_PACKET sockets, for gratuitous ARP without spawning a process.
 * Receive runs on the libuv loop (uv_poll) and reads at most `batch` datagrams per
 * wakeup, so a flood cannot monopolise the event loop either: timers run between
 * batches.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RECV_BUF 65536
#define CTRL_BUF 512

#define CHECK(call)                                                                   \
  do {                                                                                \
    if ((call) != napi_ok) {                                                          \
      napi_throw_error(env, "RAWSOCK-NAPI", "N-API call failed: " #call);             \
      return NULL;                                                                    \
    }                                                                                 \
  } while (0)

/* An Error with .code = errno name (EPERM, ENODEV...) and .errno, like Node's own. */
static napi_value errno_error(napi_env env, int err, const char *what) {
  char msg[256];
  const char *name = strerrorname_np(err);
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value code, text, error, num;
  napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  return error;
}

static napi_value throw_errno(napi_env env, int err, const char *what) {
  napi_throw(env, errno_error(env, err, what));
  return NULL;
}

/* The prologue of every export: n arguments (missing ones read as undefined). */
#define ARGS(n)                                                                       \
  size_t argc = (n);                                                                  \
  napi_value argv[(n)];                                                               \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));                        \
  int ok = argc == (n)

static int32_t arg_int(napi_env env, napi_value v, int *ok) {
  int32_t x = 0;
  if (napi_get_value_int32(env, v, &x) != napi_ok) *ok = 0;
  return x;
}

/* socket(domain, protocol): SOCK_RAW for AF_INET/AF_INET6, SOCK_DGRAM for AF_PACKET
 * (the kernel writes the Ethernet header; protocol 0 receives nothing). */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  ARGS(2);
  int domain = arg_int(env, argv[0], &ok);
  int proto = arg_int(env, argv[1], &ok);
  if (!ok) {
    napi_throw_type_error(env, "RAWSOCK-ARGS", "socket(domain, protocol) takes two integers");
    return NULL;
  }
  int type = domain == AF_PACKET ? SOCK_DGRAM : SOCK_RAW;
  if (domain == AF_PACKET) proto = htons(proto);
  int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (fd < 0) return throw_errno(env, errno, "socket");
  napi_value out;
  CHECK(napi_create_int32(env, fd, &out));
  return out;
}

/* setsockopt(fd, level, name, value: integer | Buffer) */
static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  ARGS(4);
  int fd = arg_int(env, argv[0], &ok);
  int level = arg_int(env, argv[1], &ok);
  int name = arg_int(env, argv[2], &ok);
  if (!ok) {
    napi_throw_type_error(env, "RAWSOCK-ARGS", "setsockopt(fd, level, name, value) takes integers and an integer or Buffer");
    return NULL;
  }
  bool isbuf = false;
  CHECK(napi_is_buffer(env, argv[3], &isbuf));
  int rc;
  if (isbuf) {
    void *data;
    size_t len;
    CHECK(napi_get_buffer_info(env, argv[3], &data, &len));
    rc = setsockopt(fd, level, name, data, (socklen_t)len);
  } else {
    int v = arg_int(env, argv[3], &ok);
    if (!ok) {
      napi_throw_type_error(env, "RAWSOCK-ARGS", "setsockopt value must be an integer or a Buffer");
      return NULL;
    }
    rc = setsockopt(fd, level, name, &v, sizeof v);
  }
  if (rc < 0) {
    char what[64];
    snprintf(what, sizeof what, "setsockopt(%d, %d)", level, name);
    return throw_errno(env, errno, what);
  }
  return NULL;
}

/*
 * sendto(fd, domain, data, address, ifindex, ethertype) -> bytes sent. Synchronous.
 * AF_INET: address is dotted quad. AF_INET6: address text, ifindex is the scope id
 * (used by the kernel for link-local destinations only). AF_PACKET: address is the
 * destination MAC "aa:bb:cc:dd:ee:ff", ethertype the protocol of the frame.
 */
static napi_value js_sendto(napi_env env, napi_callback_info info) {
  ARGS(6);
  int fd = arg_int(env, argv[0], &ok);
  int domain = arg_int(env, argv[1], &ok);
  int ifindex = arg_int(env, argv[4], &ok);
  int ethertype = arg_int(env, argv[5], &ok);
  void *data = NULL;
  size_t len = 0;
  bool isbuf = false;
  if (ok) CHECK(napi_is_buffer(env, argv[2], &isbuf));
  char addr[64] = {0};
  size_t alen = 0;
  if (!ok || !isbuf || napi_get_value_string_utf8(env, argv[3], addr, sizeof addr, &alen) != napi_ok) {
    napi_throw_type_error(env, "RAWSOCK-ARGS", "sendto(fd, domain, Buffer, address, ifindex, ethertype)");
    return NULL;
  }
  CHECK(napi_get_buffer_info(env, argv[2], &data, &len));
  struct sockaddr_storage ss;
  socklen_t sl;
  memset(&ss, 0, sizeof ss);
  if (domain == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1) ok = 0;
    sl = sizeof *sin;
  } else if (domain == AF_INET6) {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_scope_id = (uint32_t)ifindex;
    if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1) ok = 0;
    sl = sizeof *sin6;
  } else if (domain == AF_PACKET) {
    struct sockaddr_ll *sll = (struct sockaddr_ll *)&ss;
    unsigned int m[6];
    sll->sll_family = AF_PACKET;
    sll->sll_ifindex = ifindex;
    sll->sll_protocol = htons((uint16_t)ethertype);
    sll->sll_halen = 6;
    if (sscanf(addr, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) ok = 0;
    for (int i = 0; i < 6 && ok; i++) sll->sll_addr[i] = (unsigned char)m[i];
    sl = sizeof *sll;
  } else {
    ok = 0;
    sl = 0;
  }
  if (!ok) {
    napi_throw_type_error(env, "RAWSOCK-ADDR", "sendto: bad address for this socket family");
    return NULL;
  }
  ssize_t n = sendto(fd, data, len, 0, (struct sockaddr *)&ss, sl);
  if (n < 0) return throw_errno(env, errno, "sendto");
  napi_value out;
  CHECK(napi_create_int32(env, (int32_t)n, &out));
  return out;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd = arg_int(env, argv[0], &ok);
  if (!ok) {
    napi_throw_type_error(env, "RAWSOCK-ARGS", "close(fd)");
    return NULL;
  }
  if (close(fd) < 0) return throw_errno(env, errno, "close");
  return NULL;
}

/* ---- receive on the libuv loop ---- */

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  int fd;
  int batch;
  int stopped;
  /* Freed when both the uv handle is closed and the JS handle is collected. */
  int closed;
  int collected;
  unsigned char buf[RECV_BUF];
  unsigned char ctrl[CTRL_BUF];
} receiver_t;

static void set_int(napi_env env, napi_value obj, const char *key, int64_t v) {
  napi_value x;
  napi_create_int64(env, v, &x);
  napi_set_named_property(env, obj, key, x);
}

static void set_str(napi_env env, napi_value obj, const char *key, const char *s) {
  napi_value x;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &x);
  napi_set_named_property(env, obj, key, x);
}

/* One datagram as { data, src, dst?, hopLimit?, ifindex?, timestampMs? }. IPv4 raw
 * sockets deliver the IP header, which already holds TTL and destination. */
static napi_value datagram(napi_env env, receiver_t *r, ssize_t n, struct msghdr *mh, struct sockaddr_storage *from) {
  napi_value obj, data;
  char text[INET6_ADDRSTRLEN];
  napi_create_object(env, &obj);
  napi_create_buffer_copy(env, (size_t)n, r->buf, NULL, &data);
  napi_set_named_property(env, obj, "data", data);
  if (from->ss_family == AF_INET) {
    inet_ntop(AF_INET, &((struct sockaddr_in *)from)->sin_addr, text, sizeof text);
    set_str(env, obj, "src", text);
  } else if (from->ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)from)->sin6_addr, text, sizeof text);
    set_str(env, obj, "src", text);
  }
  if (mh->msg_flags & MSG_TRUNC) set_int(env, obj, "truncated", 1);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
      int v;
      memcpy(&v, CMSG_DATA(c), sizeof v);
      set_int(env, obj, "hopLimit", v);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      struct in6_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      inet_ntop(AF_INET6, &pi.ipi6_addr, text, sizeof text);
      set_str(env, obj, "dst", text);
      set_int(env, obj, "ifindex", pi.ipi6_ifindex);
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof ts);
      napi_value x;
      napi_create_double(env, (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6, &x);
      napi_set_named_property(env, obj, "timestampMs", x);
    }
  }
  return obj;
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  receiver_t *r = (receiver_t *)handle->data;
  if (r->stopped) return;
  napi_env env = r->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value list, err, undef;
  napi_get_undefined(env, &undef);
  napi_get_null(env, &err);
  napi_create_array(env, &list);
  uint32_t count = 0;
  if (status < 0) {
    err = errno_error(env, -status, "poll");
  } else {
    /* A bounded batch per wakeup: the loop gets back to timers (adverts) between
     * batches; what is left stays queued in the socket and wakes us again. */
    for (int i = 0; i < r->batch; i++) {
      struct sockaddr_storage from;
      struct iovec iov = {r->buf, sizeof r->buf};
      struct msghdr mh;
      memset(&mh, 0, sizeof mh);
      mh.msg_name = &from;
      mh.msg_namelen = sizeof from;
      mh.msg_iov = &iov;
      mh.msg_iovlen = 1;
      mh.msg_control = r->ctrl;
      mh.msg_controllen = sizeof r->ctrl;
      memset(&from, 0, sizeof from);
      ssize_t n = recvmsg(r->fd, &mh, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
        err = errno_error(env, errno, "recvmsg");
        break;
      }
      napi_set_element(env, list, count++, datagram(env, r, n, &mh, &from));
    }
  }
  napi_value cb, recv_this, result;
  napi_value args[2] = {err, list};
  if (napi_get_reference_value(env, r->callback, &cb) == napi_ok && cb) {
    napi_get_global(env, &recv_this);
    napi_status st = napi_make_callback(env, r->async, recv_this, cb, 2, args, &result);
    if (st == napi_pending_exception) {
      napi_value ex;
      napi_get_and_clear_last_exception(env, &ex);
      napi_fatal_exception(env, ex);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_closed(uv_handle_t *handle) {
  receiver_t *r = (receiver_t *)handle->data;
  napi_delete_reference(r->env, r->callback);
  napi_async_destroy(r->env, r->async);
  r->closed = 1;
  if (r->collected) free(r);
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  receiver_t *r = (receiver_t *)data;
  r->collected = 1;
  if (r->closed) free(r);
}

/* startReceive(fd, batch, callback(err, datagrams[])) -> handle */
static napi_value js_start_receive(napi_env env, napi_callback_info info) {
  ARGS(3);
  int fd = arg_int(env, argv[0], &ok);
  int batch = arg_int(env, argv[1], &ok);
  napi_valuetype t = napi_undefined;
  if (ok) CHECK(napi_typeof(env, argv[2], &t));
  if (!ok || t != napi_function || batch < 1) {
    napi_throw_type_error(env, "RAWSOCK-ARGS", "startReceive(fd, batch >= 1, callback)");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  receiver_t *r = calloc(1, sizeof *r);
  if (!r) return throw_errno(env, ENOMEM, "startReceive");
  r->env = env;
  r->fd = fd;
  r->batch = batch;
  napi_value name;
  napi_create_string_utf8(env, "haldir:rawsock", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, argv[2], 1, &r->callback) != napi_ok || napi_async_init(env, NULL, name, &r->async) != napi_ok) {
    free(r);
    napi_throw_error(env, "RAWSOCK-NAPI", "cannot hold the receive callback");
    return NULL;
  }
  int rc = uv_poll_init(loop, &r->poll, fd);
  if (rc == 0) {
    r->poll.data = r;
    rc = uv_poll_start(&r->poll, UV_READABLE, on_readable);
    if (rc != 0) {
      r->stopped = 1;
      r->collected = 1; /* no JS handle will ever own it */
      uv_close((uv_handle_t *)&r->poll, on_closed);
    }
  } else {
    napi_delete_reference(env, r->callback);
    napi_async_destroy(env, r->async);
    free(r);
  }
  if (rc != 0) return throw_errno(env, -rc, "uv_poll_start");
  napi_value handle;
  CHECK(napi_create_external(env, r, finalize_handle, NULL, &handle));
  return handle;
}

/* stopReceive(handle): stops polling; call before close(fd). Idempotent. */
static napi_value js_stop_receive(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *p = NULL;
  if (argc != 1 || napi_get_value_external(env, argv[0], &p) != napi_ok || !p) {
    napi_throw_type_error(env, "RAWSOCK-ARGS", "stopReceive(handle)");
    return NULL;
  }
  receiver_t *r = (receiver_t *)p;
  if (r->stopped) return NULL;
  r->stopped = 1;
  uv_poll_stop(&r->poll);
  uv_close((uv_handle_t *)&r->poll, on_closed);
  return NULL;
}

#define EXPORT(name, fn)                                                       \
  do {                                                                         \
    napi_value f;                                                              \
    napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f);           \
    napi_set_named_property(env, exports, name, f);                            \
  } while (0)

static napi_value init(napi_env env, napi_value exports) {
  EXPORT("socket", js_socket);
  EXPORT("setsockopt", js_setsockopt);
  EXPORT("sendto", js_sendto);
  EXPORT("close", js_close);
  EXPORT("startReceive", js_start_receive);
  EXPORT("stopReceive", js_stop_receive);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
