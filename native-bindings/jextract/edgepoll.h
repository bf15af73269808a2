/*
 * The one header jextract reads to generate edgepoll.sys.gen (see README.md beside this file).
 * It only includes; what is bound out of it is chosen by includes.txt.
 * _GNU_SOURCE exposes accept4, gettid, POLLRDHUP and EPOLLEXCLUSIVE-era definitions.
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
