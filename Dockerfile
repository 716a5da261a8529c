# newsflow's worker image: one image, one `newsflow` command per service (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY pipeline ./pipeline
COPY agents ./agents
COPY schemas ./schemas
COPY seeds ./seeds
RUN pip install --no-cache-dir .
ENV NEWSFLOW_HOME=/var/lib/newsflow
ENTRYPOINT ["newsflow"]
