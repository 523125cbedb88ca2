# OptViz explorer image:
#   docker build -t optviz . && docker run -p 8501:8501 optviz
# GPU variant (NVIDIA, CUDA 12 wheels of JAX; run with `--gpus all`):
#   docker build --build-arg JAX_EXTRA=cuda12 -t optviz:gpu . && docker run --gpus all -p 8501:8501 optviz:gpu
FROM python:3.11-slim

ARG JAX_EXTRA=""
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_HEADLESS=true

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt \
    && if [ -n "$JAX_EXTRA" ]; then pip install --no-cache-dir "jax[${JAX_EXTRA}]>=0.10.2,<0.13"; fi \
    && useradd --create-home --uid 10001 optviz

COPY app.py serve.py ./
COPY .streamlit ./.streamlit
COPY optviz ./optviz
COPY surfaces ./surfaces
# plotly.js for the map component (the bundles in optviz/map/vendor/) and its modules (map.js with
# its constants filled in, player.js, scene.js), written into static/ (read-only at run time)
RUN python -m optviz.map.assets
# The gallery's 30 cards (each preset's picture and its text), drawn now so that no visitor waits
# for them (optviz/cards.py); the server only reads them.
ENV OPTVIZ_CARDS=/app/cards
RUN python -m optviz.cards

USER 10001
EXPOSE 8501
# The server answers /_stcore/health at once and compiles the default page's kernels in the
# background (serve.py); /ready answers 200 once that is done.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
ENTRYPOINT ["streamlit", "run", "serve.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.fileWatcherType=none"]
