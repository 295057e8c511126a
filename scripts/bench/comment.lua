-- wrk: add a comment to the route (the URL is the route's comments).
wrk.method = "POST"
wrk.body = '{"text":"Комментарий под нагрузкой"}'
wrk.headers["Content-Type"] = "application/json"
