"""Use assignment 1's kNN notebook in a real browser: the classic notebook server in headless Chromium.

Copies assignments/assignment1 to a temp dir (so the notebook's autosave cannot touch the
repository), serves it with the classic notebook server (notebook_server.Server: 127.0.0.1, free
port, token, the repository's kernelspec through JUPYTER_PATH) and drives Debian's chromium through
chromedriver and selenium, clicking what a student clicks:

 1. open knn.ipynb; the kernel indicator names "TypeScript (ts231n)"; pick it in Kernel > Change kernel;
 2. run the import cell and the data cell with the Run button: an image grid is drawn (an <svg> with
    an embedded raster <image>);
 3. run the "distances concentrate" cell: a line plot (an <svg> with a drawn <path>/<polyline>);
 4. insert a cell with `while (true) {}`, run it, press the interrupt button (the square): the cell
    ends with InterruptError, and a cell run after it sees the notebook's earlier variables;
 5. restart the kernel with the toolbar button and its dialog, run a cell: execution count 1 and the
    old variables are gone.

Screenshots of each stage go to the output folder. Prints one JSON object with what it saw; on
failure it has `error`, one line naming the step and the cause, and failure.png is saved.

    /usr/bin/python3 tests/python/notebook_browser.py <repo> <output-dir>
"""
import json
import os
import shutil
import signal
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notebook_server import Server  # noqa: E402

NOTEBOOK = "knn.ipynb"
IMPORT_CELL, DATA_CELL, PLOT_CELL = "knn-01", "knn-03", "knn-28"
# Seconds each stage may take on the loaded 2-core CI box, and the whole run (the jest test waits 200 s).
KERNEL_READY_S, IMPORT_CELL_S, CELL_S, INTERRUPT_S, RESTART_S = 60, 90, 60, 20, 60
TOTAL_S = 170
DEADLINE = time.time() + TOTAL_S


class StepError(Exception):
    """A step that did not reach its state; the message is the one-line cause."""


class Browser:
    def __init__(self, out_dir):
        chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
        for name, found, package in (("chromium", chromium, "chromium"),
                                     ("chromedriver", driver_path, "chromium-driver")):
            if not found:
                raise StepError(f"{name} is not installed: run `npm run setup` (Debian package {package})")
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--window-size=1280,1000", "--hide-scrollbars"):
            options.add_argument(arg)
        self.driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
        self.driver.set_page_load_timeout(60)
        self.out_dir = out_dir

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, what, seconds, predicate):
        left = DEADLINE - time.time()
        try:
            return WebDriverWait(self.driver, max(0.5, min(seconds, left)), poll_frequency=0.25).until(
                lambda d: predicate())
        except TimeoutException:
            what = what() if callable(what) else what  # a callable describes the state at the timeout
            if left < seconds:
                raise StepError(f"{what} did not happen before the whole run's {TOTAL_S} s were up") from None
            raise StepError(f"{what} did not happen within {seconds} s") from None

    def click_action(self, action):
        """Click the toolbar button bound to a notebook action (what a mouse user presses)."""
        self.driver.find_element(By.CSS_SELECTOR, f'#maintoolbar button[data-jupyter-action="{action}"]').click()

    def shot(self, name):
        path = os.path.join(self.out_dir, name)
        self.driver.save_screenshot(path)
        return path

    def quit(self):
        self.driver.quit()


def visible(b, css, text):
    """The displayed element matching css whose text is `text`, or None."""
    return next((e for e in b.driver.find_elements(By.CSS_SELECTOR, css)
                 if e.is_displayed() and e.text.strip() == text), None)


def cell_index(b, cell_id):
    i = b.js("return Jupyter.notebook.get_cells().findIndex((c) => c.id === arguments[0] || "
             "(c.metadata && c.metadata.id === arguments[0]));", cell_id)
    if i is None or i < 0:
        raise StepError(f"cell {cell_id} is not in {NOTEBOOK}")
    return i


def prompt(b, i):
    """The cell's prompt as shown, e.g. 'In [3]:', 'In [*]:' while it runs, 'In [ ]:' before."""
    text = b.js("return Jupyter.notebook.get_cell(arguments[0]).element.find('.input_prompt').text();", i)
    return text.replace("\xa0", " ")


def kernel_state(b):
    icon = b.driver.find_element(By.ID, "kernel_indicator_icon").get_attribute("class") or ""
    for state in ("idle", "busy", "dead", "disconnected"):
        if f"kernel_{state}_icon" in icon:
            return state
    return icon


def wait_kernel_idle(b, what, seconds):
    def ready():
        s = kernel_state(b)
        if s == "dead":
            raise StepError(f"{what}: the kernel died (indicator shows dead)")
        return s == "idle" and b.js("return !!(Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected());")
    b.wait(f"{what}: kernel idle", seconds, ready)


def run_cell(b, i, what, seconds):
    """Select cell i, press Run, wait until its prompt shows a new number; returns the output area's text."""
    b.js("Jupyter.notebook.select(arguments[0]); Jupyter.notebook.get_cell(arguments[0]).element[0]"
         ".scrollIntoView({block: 'center'});", i)
    before = prompt(b, i)
    b.click_action("jupyter-notebook:run-cell-and-select-next")
    b.wait(lambda: f"{what}: cell {i} to finish (prompt {prompt(b, i)!r})", seconds,
           lambda: prompt(b, i) not in (before, "In [*]:", "In [ ]:"))
    return outputs_text(b, i)


def outputs_text(b, i):
    return b.js("return Jupyter.notebook.get_cell(arguments[0]).element.find('.output_area').text();", i)


def errors_of(b, i):
    return b.js("return Jupyter.notebook.get_cell(arguments[0]).output_area.outputs"
                ".filter((o) => o.output_type === 'error').map((o) => o.ename + ': ' + o.evalue);", i)


def insert_cell_below(b, i, code):
    """Select cell i, press the + button, type the code into the new cell's editor; returns its index."""
    b.js("Jupyter.notebook.select(arguments[0]);", i)
    b.click_action("jupyter-notebook:insert-cell-below")
    j = b.js("return Jupyter.notebook.get_selected_index();")
    if j != i + 1:
        raise StepError(f"the + button selected cell {j}, expected a new cell {i + 1}")
    b.js("Jupyter.notebook.get_cell(arguments[0]).set_text(arguments[1]);", j, code)
    return j


def svg_summary(b, i):
    """What the browser drew for cell i's outputs: counts of rendered SVG outputs and their parts."""
    return b.js("""
      const el = Jupyter.notebook.get_cell(arguments[0]).element[0];
      const svgs = [...el.querySelectorAll('.output_area .output_svg svg, .output_area svg')];
      const uniq = [...new Set(svgs)];
      const imgs = [...el.querySelectorAll('.output_area img')];
      const box = (e) => { const r = e.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
      return {
        mime: Jupyter.notebook.get_cell(arguments[0]).output_area.outputs
          .filter((o) => o.output_type === 'display_data' || o.output_type === 'execute_result')
          .map((o) => Object.keys(o.data).filter((k) => k !== 'text/plain').join(',')),
        svg: uniq.length,
        svg_sizes: uniq.map(box),
        raster_images: uniq.reduce((n, s) => n + s.querySelectorAll('image').length, 0)
          + imgs.filter((e) => e.naturalWidth > 0).length,
        raster_loaded: imgs.every((e) => e.complete),
        drawn_lines: uniq.reduce((n, s) => n + s.querySelectorAll('path, polyline, line').length, 0),
        texts: uniq.flatMap((s) => [...s.querySelectorAll('text')].map((t) => t.textContent)).slice(0, 40),
      };""", i)


def scenario(b, server, seen):
    url = f"{server.base}/notebooks/{NOTEBOOK}?token={server.token}"
    seen["step"] = step = "open the notebook"
    b.driver.get(url)
    b.wait(f"{step}: the notebook UI to load", 60,
           lambda: b.js("return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded);"))
    b.js("Jupyter.notebook.set_autosave_interval(0);")
    seen["cells"] = b.js("return Jupyter.notebook.get_cells().length;")

    seen["step"] = step = "choose the ts231n kernel"
    wait_kernel_idle(b, step, KERNEL_READY_S)
    seen["kernel_ready_s"] = round(time.time() - seen["_t0"], 1)
    kernel_menu = b.driver.find_element(By.ID, "kernellink")
    kernel_menu.click()
    change = b.driver.find_element(By.ID, "menu-change-kernel")
    ActionChains(b.driver).move_to_element(change).perform()
    item = b.wait(f"{step}: 'TypeScript (ts231n)' in Kernel > Change kernel", 10,
                  lambda: visible(b, "#menu-change-kernel-submenu li a", "TypeScript (ts231n)"))
    seen["change_kernel_menu"] = [e.get_attribute("textContent").strip()
                                  for e in b.driver.find_elements(By.CSS_SELECTOR, "#menu-change-kernel-submenu li a")]
    item.click()
    wait_kernel_idle(b, step, KERNEL_READY_S)
    seen["kernel_name"] = b.driver.find_element(By.CSS_SELECTOR, "#kernel_indicator .kernel_indicator_name").text
    seen["kernel_spec"] = b.js("return Jupyter.notebook.kernel.name;")

    seen["step"] = step = "run the import cell"
    i = cell_index(b, IMPORT_CELL)
    t = time.time()
    run_cell(b, i, step, IMPORT_CELL_S)
    seen["import_cell"] = {"prompt": prompt(b, i), "errors": errors_of(b, i), "seconds": round(time.time() - t, 1)}

    seen["step"] = step = "run the data cell (image grid)"
    i = cell_index(b, DATA_CELL)
    t = time.time()
    text = run_cell(b, i, step, CELL_S)
    b.wait(f"{step}: the grid's raster image to load", 10, lambda: svg_summary(b, i)["raster_images"] > 0)
    seen["data_cell"] = {"prompt": prompt(b, i), "errors": errors_of(b, i), "stdout": text[:400],
                         "drawn": svg_summary(b, i), "seconds": round(time.time() - t, 1)}
    b.js("Jupyter.notebook.get_cell(arguments[0]).element[0].scrollIntoView({block: 'start'});", i)
    seen["screenshots"] = [b.shot("1-image-grid.png")]

    seen["step"] = step = "run the plot cell"
    i = cell_index(b, PLOT_CELL)
    t = time.time()
    run_cell(b, i, step, CELL_S)
    seen["plot_cell"] = {"prompt": prompt(b, i), "errors": errors_of(b, i), "drawn": svg_summary(b, i),
                         "seconds": round(time.time() - t, 1)}
    b.js("Jupyter.notebook.get_cell(arguments[0]).element[0].scrollIntoView({block: 'start'});", i)
    seen["screenshots"].append(b.shot("2-plot.png"))

    seen["step"] = step = "interrupt a long cell with the stop button"
    loop = insert_cell_below(b, i, "// runs until interrupted\nlet spins = 0;\nconsole.log('spinning');\n"
                                   "while (true) { spins++; }")
    b.js("Jupyter.notebook.select(arguments[0]);", loop)
    b.click_action("jupyter-notebook:run-cell-and-select-next")
    # Press the button once the loop really spins (its first line is on the page), as a person
    # would: an interrupt that arrives while the kernel still compiles the cell is lost.
    b.wait(f"{step}: the loop cell to print 'spinning'", 30,
           lambda: "spinning" in outputs_text(b, loop) and prompt(b, loop) == "In [*]:")
    t = time.time()
    b.click_action("jupyter-notebook:interrupt-kernel")
    b.wait(lambda: f"{step}: the loop cell to end after the stop button (prompt {prompt(b, loop)!r})", INTERRUPT_S,
           lambda: "*" not in prompt(b, loop) and prompt(b, loop) != "In [ ]:")
    seen["interrupt"] = {"prompt": prompt(b, loop), "errors": errors_of(b, loop),
                         "seconds": round(time.time() - t, 1)}
    after = insert_cell_below(b, loop, "console.log(`after the interrupt: NUM_TRAIN = ${NUM_TRAIN}`);")
    wait_kernel_idle(b, step, 20)
    text = run_cell(b, after, step + ": the next cell", CELL_S)
    seen["after_interrupt"] = {"prompt": prompt(b, after), "errors": errors_of(b, after), "stdout": text.strip()}
    b.js("Jupyter.notebook.get_cell(arguments[0]).element[0].scrollIntoView({block: 'center'});", loop)
    seen["screenshots"].append(b.shot("3-interrupted.png"))

    seen["step"] = step = "restart the kernel"
    # The notebook's own events say when the restart began and when the new kernel answered.
    b.js("window.__ts231n = {}; const ev = Jupyter.notebook.events;"
         "ev.one('kernel_restarting.Kernel', () => { window.__ts231n.restarting = true; });"
         "ev.one('kernel_ready.Kernel', () => { window.__ts231n.ready = true; });")
    b.click_action("jupyter-notebook:confirm-restart-kernel")
    button = b.wait(f"{step}: the 'Restart kernel?' dialog", 10,
                    lambda: visible(b, ".modal-dialog .modal-footer button", "Restart"))
    seen["restart_dialog"] = b.driver.find_element(By.CSS_SELECTOR, ".modal-dialog .modal-title").text
    t = time.time()
    button.click()
    b.wait(f"{step}: the notebook to report 'kernel restarting'", 20,
           lambda: b.js("return !!window.__ts231n.restarting;"))
    b.wait(f"{step}: the restarted kernel to be ready", RESTART_S, lambda: b.js("return !!window.__ts231n.ready;"))
    wait_kernel_idle(b, step, RESTART_S)
    seen["restart_seconds"] = round(time.time() - t, 1)
    fresh = insert_cell_below(b, after, "console.log('after the restart');\n6 * 7")
    text = run_cell(b, fresh, step + ": a cell after it", CELL_S)
    seen["after_restart"] = {"prompt": prompt(b, fresh), "errors": errors_of(b, fresh), "text": text.strip()}
    gone = insert_cell_below(b, fresh, "NUM_TRAIN // defined before the restart")
    run_cell(b, gone, step + ": a cell that uses a variable from before it", CELL_S)
    seen["old_variable"] = {"prompt": prompt(b, gone), "errors": errors_of(b, gone)}
    b.js("Jupyter.notebook.get_cell(arguments[0]).element[0].scrollIntoView({block: 'center'});", fresh)
    seen["screenshots"].append(b.shot("4-restarted.png"))
    seen["kernel_state_end"] = kernel_state(b)


def stopped(signum, _frame):
    raise StepError(f"stopped by signal {signum} (the test runner's time limit?)")


def main():
    global DEADLINE
    DEADLINE = time.time() + TOTAL_S
    signal.signal(signal.SIGTERM, stopped)  # so that the finally block stops the server and the browser
    repo = os.path.abspath(sys.argv[1])
    out_dir = os.path.abspath(sys.argv[2])
    os.makedirs(out_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="ts231n-browser-")
    seen = {"_t0": time.time()}
    code, server, b = 1, None, None
    try:
        seen["step"] = "copy assignment 1"
        shutil.copytree(os.path.join(repo, "assignments", "assignment1"), os.path.join(work, "assignment1"))
        seen["step"] = "start the notebook server"
        server = Server(repo, notebook_dir=os.path.join(work, "assignment1"), env_extra={"TS231N_QUICK": "1"})
        server.wait_up()
        seen["step"] = "start chromium through chromedriver"
        b = Browser(out_dir)
        scenario(b, server, seen)
        seen.pop("step")
        code = 0
    except StepError as e:
        where = seen.get("step", "start")
        seen["error"] = str(e) if str(e).startswith(where) else f"{where}: {e}"
    except Exception as e:  # one line for the test's message; the details stay in the JSON
        first = (str(e).strip().splitlines() or [""])[0]
        seen["error"] = f"{seen.get('step', 'start')}: {type(e).__name__}: {first}"
    finally:
        if code and b is not None:
            try:
                seen["failure_screenshot"] = b.shot("failure.png")
            except Exception:
                pass
        if b is not None:
            b.quit()
        if server is not None:
            if code:
                seen["server_log"] = server.tail()
            server.stop()
            shutil.rmtree(server.tmp, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    seen["seconds"] = round(time.time() - seen.pop("_t0"), 1)
    print(json.dumps(seen))
    sys.exit(code)


if __name__ == "__main__":
    main()
