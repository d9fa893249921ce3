#!/usr/bin/env bash
# http/https checks judged the way keepalived's HTTP_GET/SSL_GET judge:
# status ranges and lists (python's http.server answers a directory
# without its slash with 301, a missing file with 404), a POSIX regex on
# the body that must match or must not (regex_no_match), and only from an
# offset on; a page whose text changes takes the server down and back;
# http_version 1.0 sends "GET ... HTTP/1.0" (read in python's and nginx's
# request logs); the same over TLS
# against openssl s_server -WWW (an HTTP/1.0 server).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chk_lib.sh"
chk_net

www="$T_DIR/www"; mkdir -p "$www/dir"
echo "status: up" > "$www/health.txt"
echo "status: up" > "$www/flip.txt"
printf 'header line\nstatus: up\n' > "$www/offset.txt"
echo "tls status: up" > "$www/tls.txt"
bg rs1 http python3 -m http.server --bind 198.51.100.11 --directory "$www" 80
cat > "$T_DIR/nginx.conf" <<NGINX
daemon off; user root; worker_processes 1; pid $T_DIR/nginx.pid;
error_log $T_DIR/nginx.err;
events { worker_connections 64; }
http {
  access_log $T_DIR/nginx.access;
  client_body_temp_path $T_DIR; proxy_temp_path $T_DIR; fastcgi_temp_path $T_DIR;
  uwsgi_temp_path $T_DIR; scgi_temp_path $T_DIR;
  server { listen 198.51.100.11:8080; root $www; }
}
NGINX
bg rs1 nginx nginx -c "$T_DIR/nginx.conf"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rs.example.test" \
  -keyout "$T_DIR/rs.key" -out "$T_DIR/rs.pem" 2>/dev/null || fail "openssl req"
bg rs1 tls bash -c "cd '$www' && exec openssl s_server -quiet -WWW -accept 198.51.100.11:443 \
  -cert '$T_DIR/rs.pem' -key '$T_DIR/rs.key'"
wait_for 5 port_up rs1 80 || fail "http.server did not start"
wait_for 5 port_up rs1 8080 || fail "nginx did not start"
wait_for 5 port_up rs1 443 || fail "s_server did not start"

H='type = "http"; timeout = 1.0;'
conf="$T_DIR/vigil.conf"
cat > "$conf" <<CONF
global = { control_socket = "$T_DIR/d1.sock"; };
virtual_servers = (
$(chk_vs range_301 198.51.100.11 80 "{ $H path = \"/dir\"; status = [ \"200-299\", \"301\" ]; }"),
$(chk_vs range_2xx 198.51.100.11 80 "{ $H path = \"/dir\"; status = [ \"200-299\" ]; }"),
$(chk_vs range_4xx 198.51.100.11 80 "{ $H path = \"/nope\"; status = ( 200, \"400-499\" ); }"),
$(chk_vs re_ok 198.51.100.11 80 "{ $H path = \"/health.txt\"; regex = \"^status: (up|ok)\"; }"),
$(chk_vs re_bad 198.51.100.11 80 "{ $H path = \"/health.txt\"; regex = \"^status: down\"; }"),
$(chk_vs re_not 198.51.100.11 80 "{ $H path = \"/health.txt\"; regex = \"down|fail\"; regex_no_match = true; }"),
$(chk_vs re_not_bad 198.51.100.11 80 "{ $H path = \"/health.txt\"; regex = \"[u]p\"; regex_no_match = true; }"),
$(chk_vs re_from 198.51.100.11 80 "{ $H path = \"/offset.txt\"; regex = \"status: up\"; regex_min_offset = 12; }"),
$(chk_vs re_before 198.51.100.11 80 "{ $H path = \"/offset.txt\"; regex = \"status: up\"; regex_max_offset = 12; }"),
$(chk_vs flip 198.51.100.11 80 "{ $H path = \"/flip.txt\"; regex = \"status: up\"; }"),
$(chk_vs v10 198.51.100.11 80 "{ $H path = \"/health.txt?v10\"; http_version = \"1.0\"; }"),
$(chk_vs v10_nginx 198.51.100.11 8080 "{ $H path = \"/health.txt\"; http_version = \"1.0\"; regex = \"status: u[p]\"; status = [ \"200-204\" ]; }"),
$(chk_vs v11_nginx 198.51.100.11 8080 "{ $H path = \"/offset.txt\"; }"),
$(chk_vs tls_re 198.51.100.11 443 "{ type = \"https\"; timeout = 1.0; path = \"/tls.txt\"; http_version = \"1.0\"; regex = \"^tls status: up\"; }"),
$(chk_vs tls_re_bad 198.51.100.11 443 "{ type = \"https\"; timeout = 1.0; path = \"/tls.txt\"; regex = \"tls status: down\"; status = [ \"200-299\" ]; }")
);
CONF
chk_vigild "$conf"
B=2.5
chk_expect \
  range_301 198.51.100.11:80 up "ok" $B \
  range_2xx 198.51.100.11:80 down "http status 301" $B \
  range_4xx 198.51.100.11:80 up "ok" $B \
  re_ok 198.51.100.11:80 up "ok" $B \
  re_bad 198.51.100.11:80 down 'regex "^status: down" not found' $B \
  re_not 198.51.100.11:80 up "ok" $B \
  re_not_bad 198.51.100.11:80 down 'regex "[u]p" found (regex_no_match)' $B \
  re_from 198.51.100.11:80 up "ok" $B \
  re_before 198.51.100.11:80 down "not found" $B \
  flip 198.51.100.11:80 up "ok" $B \
  v10 198.51.100.11:80 up "ok" $B \
  v10_nginx 198.51.100.11:8080 up "ok" $B \
  v11_nginx 198.51.100.11:8080 up "ok" $B \
  tls_re 198.51.100.11:443 up "ok" $B \
  tls_re_bad 198.51.100.11:443 down "not found" $B \
  || fail "states after start"
pass "status ranges, regex, regex_no_match and offsets judge real servers"

# The page's text changes: down on the regex, then up again.
echo "status: maintenance" > "$www/flip.txt"
CHK_T0=$(now_ms)
chk_expect flip 198.51.100.11:80 down 'regex "status: up" not found' 2.5 || fail "flip did not go down"
echo "status: up" > "$www/flip.txt"
CHK_T0=$(now_ms)
chk_expect flip 198.51.100.11:80 up "ok" 2.5 || fail "flip did not come back"
pass "a body that stops matching takes the server down, and back up"

# What went on the wire: python logs the request line as it read it.
grep -q '"GET /health.txt?v10 HTTP/1.0" 200' "$T_DIR/http.log" || fail "no HTTP/1.0 request in http.server's log"
grep -q '"GET /health.txt HTTP/1.1"' "$T_DIR/http.log" || fail "the default is not HTTP/1.1"
! grep -q '"GET /health.txt?v10 HTTP/1.1"' "$T_DIR/http.log" || fail "an HTTP/1.1 request for the 1.0 check"
grep -q '"GET /health.txt HTTP/1.0" 200' "$T_DIR/nginx.access" || fail "no HTTP/1.0 request in nginx's log"
grep -q '"GET /offset.txt HTTP/1.1" 200' "$T_DIR/nginx.access" || fail "no HTTP/1.1 request in nginx's log"
pass "http_version 1.0 requests seen by python's http.server and nginx"
