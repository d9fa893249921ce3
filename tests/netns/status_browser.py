#!/usr/bin/env python3
"""Loads a vigil status page in headless Chromium (Debian chromium +
chromium-driver, through Selenium) and checks it as a person would:
it renders, the browser console has no error or warning, and the page
shows the texts given. Optionally saves a screenshot.

usage: status_browser.py URL OUT_DIR [--screenshot PNG] [--width W] TEXT...
Writes OUT_DIR/page.txt (the rendered text) and OUT_DIR/console.json.
"""
import argparse, json, os, sys, tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ap = argparse.ArgumentParser()
ap.add_argument("url")
ap.add_argument("out")
ap.add_argument("--screenshot")
ap.add_argument("--width", type=int, default=1280)
ap.add_argument("texts", nargs="*")
a = ap.parse_intermixed_args()

opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-extensions", "--disable-background-networking",
            "--window-size=%d,900" % a.width):
    opts.add_argument(arg)
# A profile of its own: the test may run as root in a namespace.
profile = tempfile.mkdtemp(prefix="vigil-chromium-")
opts.add_argument("--user-data-dir=" + profile)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
try:
    drv.set_page_load_timeout(20)
    drv.get(a.url)
    body = drv.find_element(By.TAG_NAME, "body").text
    title = drv.title
    # No script on the page: the DOM has none, and nothing was fetched but it.
    scripts = len(drv.find_elements(By.TAG_NAME, "script"))
    svgs = len(drv.find_elements(By.TAG_NAME, "svg"))
    resources = drv.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    logs = drv.get_log("browser")
    if a.screenshot:
        h = drv.execute_script("return document.documentElement.scrollHeight")
        drv.set_window_size(a.width, min(max(h + 40, 400), 4000))
        drv.save_screenshot(a.screenshot)
finally:
    drv.quit()

open(os.path.join(a.out, "page.txt"), "w").write(body)
json.dump({"logs": logs, "resources": resources, "title": title, "scripts": scripts,
           "svgs": svgs}, open(os.path.join(a.out, "console.json"), "w"), indent=1)
errors = []
bad = [l for l in logs if l.get("level") in ("SEVERE", "WARNING")]
if bad:
    errors.append("console: %s" % bad)
if resources:
    errors.append("the page loaded other resources: %s" % resources)
if scripts:
    errors.append("%d script elements" % scripts)
if title != "vigil status":
    errors.append("title %r" % title)
for t in a.texts:
    if t not in body:
        errors.append("not shown: %r" % t)
if errors:
    print("\n".join(errors))
    print("--- page text ---\n" + body)
    sys.exit(1)
print("rendered, %d log entries, none an error; %d charts; all %d texts shown"
      % (len(logs), svgs, len(a.texts)))
