/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to src/net: what multi.c needs of a transfer (http.c).
 */
#ifndef ATT_NET_NET_INT_H
#define ATT_NET_NET_INT_H

#include <curl/curl.h>

#include "net/http.h"

/* The transfer's easy handle (its CURLOPT_PRIVATE is the transfer). */
CURL *att_net_xfer_easy(struct att_net_xfer *x);
/* att_net_xfer_ended records how the transfer ended (and its status). */
void att_net_xfer_ended(struct att_net_xfer *x, CURLcode cc);

#endif
