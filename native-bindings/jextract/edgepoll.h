/*
 * The one header jextract reads to generate edgepoll.sys.gen (see README.md beside this file).
 * It only includes; what is bound out of it is chosen by includes.txt.
 * _GNU_SOURCE exposes accept4, gettid, POLLRDHUP and EPOLLEXCLUSIVE-era definitions.
 * linux/io_uring.h is the kernel's uapi header (Debian's linux-libc-dev): the io_uring structs and
 * flags; sys/syscall.h gives the syscall numbers, since glibc has no io_uring wrappers.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/io_uring.h>
