"""The gateway's generated nginx configuration and its settings (no server: nginx -t checks the syntax)."""

from __future__ import annotations

import pytest

from infra.gateway import GatewayConfig, config_from_env, instance_env, render, write_config


def test_settings_place_the_gateway_and_its_instances(tmp_path):
    config = config_from_env({"LIBERTUM_WEB_PORT": "9000", "WEB_INSTANCES": "3", "LIBERTUM_WEB_INSTANCE_PORT": "9101",
                              "MAX_CONTENT_LENGTH": "2048", "GATEWAY_RATE": "5"}, tmp_path)
    assert (config.port, config.instance_ports, config.body_limit, config.rate) == (9000, [9101, 9102, 9103], 2048, 5)
    assert instance_env(config) == {"PROXY_HOPS": "1", "WEB_INSTANCE_URLS": "http://127.0.0.1:9101,"
                                    "http://127.0.0.1:9102,http://127.0.0.1:9103"}
    with pytest.raises(ValueError, match="WEB_INSTANCES"):
        config_from_env({"WEB_INSTANCES": "0"}, tmp_path)


def test_the_configuration_is_valid_nginx_and_keeps_its_promises(tmp_path):
    config = GatewayConfig(base=tmp_path, port=18000, instance_ports=[18101, 18102], body_limit=4096)
    text = render(config)
    assert "server 127.0.0.1:18101 max_fails=1" in text and "server 127.0.0.1:18102 max_fails=1" in text
    assert "client_max_body_size 4096;" in text
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text  # set, never appended
    assert "proxy_next_upstream error timeout http_502 http_503;\n" in text  # no `non_idempotent`: POSTs not replayed
    assert f"pid {tmp_path}/nginx.pid;" in text
    assert write_config(config).exists()  # `nginx -t` accepted it


def test_the_page_cache_stores_only_what_the_app_marks_and_is_off_at_zero(tmp_path):
    text = render(GatewayConfig(base=tmp_path, port=18000, instance_ports=[18101], page_cache_seconds=3))
    assert "proxy_cache_valid 200 3s;" in text
    # the app's own caching headers never make nginx store a page; cookies and credentials bypass it
    assert "proxy_ignore_headers Cache-Control Expires X-Accel-Expires;" in text
    assert "proxy_no_cache $http_cookie $http_authorization $libertum_not_shareable;" in text
    assert "proxy_cache_bypass $http_cookie $http_authorization;" in text
    assert "proxy_hide_header X-Libertum-Shareable;" in text
    assert "proxy_cache" not in render(GatewayConfig(base=tmp_path, port=18000, instance_ports=[18101],
                                                     page_cache_seconds=0))
    assert config_from_env({"GATEWAY_PAGE_CACHE_SECONDS": "0"}, tmp_path).page_cache_seconds == 0
    assert config_from_env({}, tmp_path).page_cache_seconds == 1
