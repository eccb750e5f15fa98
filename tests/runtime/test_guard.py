"""The SQL guard's verdicts on a table of commands and SQL files."""

from __future__ import annotations

import pytest
from pact_runtime.signals import sqlscan
from pact_runtime.signals.sqlscan import classify, scan_command, scan_file

DATA = ("HALT", "DATA")
SECURITY = ("HALT", "SECURITY")
PASS = None

# (command, expected verdict): the most severe finding, or PASS.
COMMANDS = [
    # destructive, client forms
    ('psql -c "DROP TABLE customers"', DATA),
    ("psql --command='DROP TABLE customers'", DATA),
    ('psql --command "drop schema billing cascade"', DATA),
    ('psql -d shop -U app -c "TRUNCATE orders"', DATA),
    ('psql -c"DELETE FROM sessions"', DATA),
    ('mysql -e "DELETE FROM users"', DATA),
    ('mysql -u root -Ne "update users set admin = 1"', DATA),
    ('mysql --execute="DROP DATABASE shop"', DATA),
    ('mariadb -e "ALTER TABLE users DROP COLUMN email"', DATA),
    ('sqlite3 app.db "DROP TABLE notes"', DATA),
    ('sqlite3 -header app.db "SELECT 1; DELETE FROM notes"', DATA),
    ('duckdb warehouse.duckdb -c "TRUNCATE TABLE events"', DATA),
    ('duckdb warehouse.duckdb "DROP TABLE events"', DATA),
    ('clickhouse-client --query "TRUNCATE TABLE hits"', DATA),
    ('clickhouse-client --query="DROP TABLE hits"', DATA),
    ('clickhouse client -q "DROP DATABASE analytics"', DATA),
    ("psql <<EOF\nDROP TABLE customers;\nEOF", DATA),
    ("psql shop <<'SQL'\n\\c shop\nDELETE FROM carts;\nSQL", DATA),
    ("psql <<-EOF\n\tUPDATE accounts SET balance = 0;\n\tEOF", DATA),
    ('echo "DROP TABLE customers" | psql shop', DATA),
    ("printf 'TRUNCATE logs;' | mysql app", DATA),
    ("cat <<EOF | sqlite3 app.db\nDELETE FROM t;\nEOF", DATA),
    ('psql shop <<< "DROP TABLE t"', DATA),
    ("sh -c 'psql -c \"DROP TABLE customers\"'", DATA),
    ("bash -lc \"mysql -e 'DELETE FROM users'\"", DATA),
    ("bash -c \"sh -c 'psql -c \\\"TRUNCATE t\\\"'\"", DATA),
    ('sudo -u postgres psql -c "DROP DATABASE prod"', DATA),
    ('docker exec -i db psql -U postgres -c "DROP TABLE customers"', DATA),
    ('kubectl exec pod/db -- mysql -e "DROP TABLE t"', DATA),
    ('PGPASSWORD=x psql -h db -c "DELETE FROM t"', DATA),
    ('cd /srv && psql -c "DROP TABLE customers" && echo done', DATA),
    ('psql -c "GRANT ALL ON customers TO intern"', SECURITY),
    ('psql -c "GRANT ALL PRIVILEGES ON DATABASE shop TO bob"', SECURITY),
    ('psql -c "GRANT SELECT ON customers TO PUBLIC"', SECURITY),
    ('mysql -e "grant all on shop.* to app"', SECURITY),
    # multi-statement strings
    ('psql -c "SELECT 1; DROP TABLE customers; SELECT 2"', DATA),
    ('psql -c "BEGIN; DELETE FROM t WHERE id = 3; COMMIT"', PASS),
    ('psql -c "DELETE FROM t WHERE id = 3; UPDATE t SET a = 1"', DATA),
    # safe statements through clients
    ('psql -c "DELETE FROM sessions WHERE expires_at < now()"', PASS),
    ('mysql -e "UPDATE users SET name = \'x\' WHERE id = 4"', PASS),
    ('psql -c "DROP INDEX idx_orders_created"', PASS),
    ('psql -c "DROP VIEW recent_orders"', PASS),
    ('psql -c "ALTER TABLE t ADD COLUMN deleted_at timestamptz"', PASS),
    ('psql -c "ALTER TABLE t DROP CONSTRAINT t_pkey"', PASS),
    ('psql -c "ALTER TABLE t ALTER COLUMN c DROP DEFAULT"', PASS),
    ('psql -c "GRANT SELECT ON customers TO reporting"', PASS),
    ('psql -c "SELECT * FROM orders WHERE deleted_at IS NULL"', PASS),
    ('psql -c "UPDATE t SET n = n + 1 WHERE id IN (SELECT id FROM u)"', PASS),
    # CTE and subquery WHEREs do not count for the statement itself
    ('psql -c "WITH old AS (SELECT id FROM t WHERE x) DELETE FROM t"', DATA),
    ('psql -c "DELETE FROM t USING (SELECT 1 WHERE true) s"', DATA),
    ('psql -c "UPDATE t SET a = (SELECT b FROM u WHERE u.id = 1)"', DATA),
    ('psql -c "WITH old AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM old)"', PASS),
    # decoys in comments and strings
    ('psql -c "SELECT 1 -- DROP TABLE customers"', PASS),
    ('psql -c "/* TRUNCATE t; */ SELECT 2"', PASS),
    ("psql -c \"INSERT INTO notes VALUES ('DROP TABLE customers; DELETE FROM t')\"", PASS),
    ('psql -c "DELETE FROM t -- WHERE id = 1"', DATA),
    ("psql -c \"UPDATE t SET note = 'WHERE x' \"", DATA),
    # mixed case and comments between keywords
    ('psql -c "dRoP /* gone */ TaBlE customers"', DATA),
    ('psql -c "Delete\n-- all of it\nFrom t"', DATA),
    # commands that only mention SQL
    ('grep -rn "DROP TABLE" migrations/', PASS),
    ('rg "DELETE FROM" src', PASS),
    ('git commit -m "drop table users and truncate logs"', PASS),
    ('git log --grep="ALTER TABLE"', PASS),
    ('echo "DROP TABLE customers"', PASS),
    ("echo 'Run: psql -c \"DROP TABLE t\"' > NOTES.md", PASS),
    ('cat docs/update-guide.md', PASS),
    ("ls -la deleted_at updated_at", PASS),
    ("python manage.py migrate", PASS),
    ("npm run update", PASS),
    ("apt-get update", PASS),
    ("git diff --stat", PASS),
    ('psql -c "SELECT deleted_at, updated_at FROM orders"', PASS),
    ("psql -f migrations/0001_init.sql", PASS),  # no such file here; see SCRIPT_COMMANDS
    ('psql -c "SELECT 1', PASS),  # unbalanced quote: the shell refuses to run it
    # keywords split or hidden by quoting, escapes and clustering
    ('psql -c "DR""OP TABLE users"', DATA),
    ("psql -c $'\\x44ROP TABLE users'", DATA),
    ("psql -c $'\\104ROP TABLE users'", DATA),
    ("psql -c $'TRUNCATE\\tusers'", DATA),
    ("psql -cDROP\\ TABLE\\ users", DATA),
    ('psql -c "SELECT $\'DROP TABLE users\'"', PASS),  # $' is plain text inside "…"
    ("psql -c $'SELECT \\'DROP TABLE users\\''", PASS),  # a string literal, decoded
    ('\\psql -c "DROP TABLE users"', DATA),
    ('p\\sql -c "DROP TABLE users"', DATA),
    ('{ psql -c "DROP TABLE users"; }', DATA),
    ('if true; then psql -c "DROP TABLE users"; fi', DATA),
    ('! psql -c "TRUNCATE users"', DATA),
    ("printf '%s' 'DROP TABLE users' | psql", DATA),
    ("printf 'DROP TABLE %s;' users | psql shop", DATA),
    ("printf '%s\\n' 'SELECT 1' | psql", PASS),
    ('echo "DROP TABLE users" | xargs psql -c', DATA),
    ('echo "DROP TABLE users" | xargs -0 psql -c', DATA),
    ('echo "DROP TABLE users" | xargs -I{} psql -c {}', DATA),
    ('echo "drop the cache" | xargs echo', PASS),
    # data-modifying CTEs, MERGE, and procedural bodies
    ('psql -c "WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d"', DATA),
    ('psql -c "WITH d AS (UPDATE users SET a = 1 RETURNING id) SELECT * FROM d"', DATA),
    ('psql -c "WITH d AS (DELETE FROM users WHERE id = 1 RETURNING *) SELECT * FROM d"', PASS),
    ('psql -c "MERGE INTO users u USING x ON true WHEN MATCHED THEN DELETE"', DATA),
    ('psql -c "MERGE INTO users u USING x ON u.id = x.id WHEN MATCHED THEN DELETE"', DATA),
    ('psql -c "MERGE INTO users u USING x ON u.id = x.id WHEN MATCHED AND x.gone THEN DELETE"',
     PASS),
    ('psql -c "MERGE INTO users u USING x ON u.id = x.id WHEN MATCHED THEN UPDATE SET n = x.n"',
     PASS),
    ("psql <<'SQL'\nDO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$;\nSQL", DATA),
    ("psql -c 'DO $$ BEGIN DELETE FROM users; END $$'", DATA),
    ("psql -c 'DO $body$ BEGIN IF x THEN UPDATE t SET a = 1; END IF; END $body$'", DATA),
    ("psql -c 'DO $$ BEGIN DELETE FROM users WHERE id = 1; END $$'", PASS),
    ("psql -c 'SELECT $$DROP TABLE users$$'", PASS),  # a dollar-quoted string, not a body
    # Postgres lexing: a backslash does not escape in a standard string, and `#` is XOR
    ('psql -c "SELECT \'a\\\\\'; DROP TABLE users; -- \'"', DATA),
    ('mysql -e "SELECT \'a\\\\\'; DROP TABLE users; -- \'"', PASS),  # one string in MySQL
    ('psql -c "SELECT 2 # 3; DROP TABLE users"', DATA),
    ('psql -c "SELECT E\'a\\\\\'; DROP TABLE users; -- \'"', PASS),  # E'…' strings do escape
    ('psql -c "SELECT \'it\'\'s\'; DELETE FROM t WHERE id = 1"', PASS),
    ('psql -c "SELECT name FROM t WHERE note = \'DROP TABLE x\'"', PASS),
    # shells named without SQL
    ("bash build.sh --update", PASS),
    ("sh -c 'make && ./deploy --drop-cache'", PASS),
    # a `<<` inside quotes is text: the lines after it still run
    ('echo "<<X "\npsql -c "DROP TABLE customers"', DATA),
    ("echo 'a <<X'\npsql -c 'TRUNCATE orders'", DATA),
    ('echo $((1<<2)); psql -c "DROP TABLE customers"', DATA),
    ('(( x <<= 1 ))\npsql -c "DROP TABLE customers"', DATA),
    ("psql <<E\"OF\"\nDROP TABLE customers;\nEOF", DATA),
    # getopt takes abbreviated long options; more flags that carry SQL
    ('mysql --exec="DROP TABLE users"', DATA),
    ('psql --comm "DROP TABLE users"', DATA),
    ('mysql --init-command="DROP TABLE users" shop', DATA),
    ('psql --csv -c "SELECT 1"', PASS),
    # shells that read their script from a heredoc, a pipe or another command
    ('bash <<EOF\npsql -c "DROP TABLE customers"\nEOF', DATA),
    ("echo 'psql -c \"DROP TABLE customers\"' | sh -s", DATA),
    ("su postgres -c \"psql -c 'DROP TABLE customers'\"", DATA),
    ("ssh db 'psql -c \"DROP TABLE customers\"'", DATA),
    ('ssh db <<EOF\npsql -c "DROP TABLE customers"\nEOF', DATA),
    ("watch 'psql -c \"DELETE FROM sessions\"'", DATA),
    ('builtin eval "psql -c \\"DROP TABLE users\\""', DATA),
    ('function f { psql -c "DROP TABLE users"; }; f', DATA),
    ('find . -name "*.db" -exec sqlite3 {} "DROP TABLE notes" \\;', DATA),
    ('docker-compose exec db psql -c "DROP TABLE customers"', DATA),
    ("ssh db uptime", PASS),
    ("watch -n 1 ls", PASS),
    ('find . -name "*.sql" -exec grep -l "DROP TABLE" {} +', PASS),
    # substitutions: what they print is the SQL, and what they run is judged
    ('psql -c "$(echo DROP TABLE customers)"', DATA),
    ('psql -f <(echo "DROP TABLE customers")', DATA),
    ('psql < <(printf "TRUNCATE orders")', DATA),
    ('cat <(echo "DELETE FROM t") | psql', DATA),
    ('echo $(psql -c "DROP TABLE customers")', DATA),
    ('echo `psql -c "DROP TABLE customers"`', DATA),
    ('x=$(mysql -e "DELETE FROM users")', DATA),
    ('$(which psql) -c "DROP TABLE customers"', DATA),
    ("p'sql' -c 'DROP TABLE customers'", DATA),
    ('cat > notes.md <<EOF\nRun `psql -c "DROP TABLE x"` to reset\nEOF', DATA),  # bash runs it
    ("cat > notes.md <<'EOF'\nRun `psql -c \"DROP TABLE x\"` to reset\nEOF", PASS),
    ('git commit -m "$(cat <<\'EOF\'\nRun psql -c "DROP TABLE x" to reset\nEOF\n)"', PASS),
    ('echo "$(date) update done"', PASS),
    # escapes that echo -e and printf decode
    ('echo -e "DROP\\x20TABLE users" | psql', DATA),
    ("printf 'TRUNCATE\\x20orders' | psql", DATA),
    ('echo "DROP\\x20TABLE users" | psql', PASS),  # plain echo prints the backslash
    # other SQL clients
    ('mysqlsh --sql -e "DROP TABLE users"', DATA),
    ('sqlcmd -S db -Q "TRUNCATE TABLE orders"', DATA),
    ('snowsql -q "DROP SCHEMA analytics"', DATA),
    ('cqlsh -e "TRUNCATE ks.events"', DATA),
    ("bq query --use_legacy_sql=false 'DELETE FROM ds.events WHERE true'", DATA),
    ("bq query --use_legacy_sql=false 'DELETE FROM ds.events WHERE day < \"2020-01-01\"'",
     PASS),
    ("bq query --use_legacy_sql=false 'DELETE FROM ds.events'", DATA),
    ("sqlplus -s app/pw@db <<EOF\nDROP TABLE customers;\nEOF", DATA),
    ('beeline -u jdbc:hive2://h -e "DROP DATABASE logs CASCADE"', DATA),
    ("bq ls", PASS),
    ("hive --version", PASS),
    # statements that run other SQL
    ('psql -c "EXPLAIN ANALYZE DELETE FROM t"', DATA),
    ('psql -c "EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET a = 1"', DATA),
    ('psql -c "EXPLAIN DELETE FROM t"', PASS),  # planned, not run
    ('psql -c "EXPLAIN ANALYZE DELETE FROM t WHERE id = 1"', PASS),
    ('psql -c "PREPARE p AS DELETE FROM t; EXECUTE p"', DATA),
    ("mysql -e \"PREPARE s FROM 'DELETE FROM t'; EXECUTE s\"", DATA),
    ("duckdb -c \"EXECUTE IMMEDIATE 'DROP TABLE x'\"", DATA),
    ("sqlcmd -Q \"EXEC('DROP TABLE x')\"", DATA),
    ('psql -c "CREATE RULE r AS ON INSERT TO t DO INSTEAD DELETE FROM u"', DATA),
    ('psql -c "CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING"', PASS),
    ('psql -c "DROP OWNED BY intern"', DATA),
    ("psql -c \"SELECT format('DROP TABLE %I', tablename) FROM pg_tables\" -c '\\gexec'", DATA),
    ("psql <<'EOF'\nSELECT 'DROP TABLE ' || tablename || ';' FROM pg_tables\n\\gexec\nEOF", DATA),
    ("psql <<'EOF'\nSELECT 'ANALYZE ' || tablename FROM pg_tables \\gexec\nEOF", PASS),
    ('psql -c "\\! psql -c \\"DROP TABLE x\\""', DATA),
    # MySQL runs what an executable comment holds; routine, trigger and event bodies
    ('mysql -e "SELECT 1 /*! ; DROP TABLE customers */"', DATA),
    ('mysql -e "/*!50000 TRUNCATE orders */"', DATA),
    ('mysql -e "SELECT 1 /*+ NO_INDEX(t) */"', PASS),
    ('psql -c "SELECT 1 /*! DROP TABLE customers */"', PASS),  # a plain comment there
    ('mysql -e "CREATE PROCEDURE p() BEGIN DROP TABLE customers; END"', DATA),
    ('mysql -e "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW DELETE FROM b"', DATA),
    ('mysql -e "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW DELETE FROM b WHERE id = 1"',
     PASS),
    ('mysql -e "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM logs"', DATA),
    ('psql -c "CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END"',
     DATA),
    ('psql -c "CREATE TRIGGER t AFTER DELETE ON a FOR EACH ROW EXECUTE FUNCTION f()"', PASS),
    ('psql -c "TRUNCATE TABLE orders *"', DATA),
    # SQL words that are not destructive statements
    ('psql -c "CREATE TABLE t (id int REFERENCES u ON DELETE CASCADE)"', PASS),
    ('psql -c "GRANT DELETE ON t TO app"', PASS),
    ('psql -c "SELECT * FROM t FOR UPDATE"', PASS),
    ('psql -c "INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET a = 1"', PASS),
    ('psql -c "REVOKE ALL ON t FROM PUBLIC"', PASS),
    # a WHERE that every row meets (always true, or naming no column) is no bound at all
    ('psql -c "DELETE FROM users WHERE 1=1"', DATA),
    ('psql -c "DELETE FROM users WHERE true"', DATA),
    ('psql -c "DELETE FROM users WHERE false OR true"', DATA),
    ("psql -c \"DELETE FROM users WHERE 'a'='a'\"", DATA),
    ('psql -c "UPDATE users SET admin = true WHERE id = id"', DATA),
    ('psql -c "UPDATE users SET admin = true WHERE users.id = users.id"', DATA),
    ('mysql -e "DELETE FROM users WHERE 1"', DATA),
    ('psql -c "DELETE FROM t WHERE NOT (id <> id)"', DATA),
    ('psql -c "DELETE FROM t WHERE x IS NULL OR x IS NOT NULL"', DATA),
    ('psql -c "DELETE FROM t WHERE id = 4 OR 1 = 1"', DATA),
    ('psql -c "DELETE FROM t WHERE (SELECT count(*) FROM u) > 0"', DATA),
    ('psql -c "WITH d AS (DELETE FROM t WHERE 2 > 1 RETURNING *) SELECT * FROM d"', DATA),
    ('psql -c "DELETE FROM t WHERE false"', PASS),
    ('psql -c "DELETE FROM t WHERE 1 = 0"', PASS),
    ('mysql -e "DELETE FROM t WHERE 0"', PASS),
    ('psql -c "UPDATE t SET a = 1 WHERE id = id AND b = 2"', PASS),
    ('psql -c "DELETE FROM t WHERE a = b"', PASS),
    ('psql -c "DELETE FROM t WHERE id = $1"', PASS),
    ('psql -c "DELETE FROM t WHERE x IS NULL OR y IS NOT NULL"', PASS),
    ('psql -c "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id)"', PASS),
    ('psql -c "DELETE FROM t WHERE CURRENT OF c"', PASS),
    # commands that drop a whole database
    ("dropdb prod", DATA),
    ("dropdb -h db -U postgres --if-exists prod", DATA),
    ("sudo -u postgres dropdb prod", DATA),
    ("docker exec db dropdb -U postgres app", DATA),
    ("mysqladmin -u root drop shop", DATA),
    ("mysqladmin -f drop shop", DATA),
    ("mysqladmin --force create tmp drop shop", DATA),
    ("mariadb-admin --force drop my-shop", DATA),
    ("dropdb --help", PASS),
    ("mysqladmin -u root status", PASS),
    ("createdb shop", PASS),
    ('grep -rn "dropdb" docs/', PASS),
    # what a tee or a plain cat in a pipe passes on
    ('echo "DROP TABLE t" | tee /dev/stderr | psql', DATA),
    ('echo "DROP TABLE t" | cat | psql', DATA),
    ('echo "DROP TABLE t" | cat - | tee -a run.log | mysql shop', DATA),
    ('echo "SELECT 1" | tee q.log | psql', PASS),
    ('echo "DROP TABLE t" | cat notes.txt | psql', PASS),  # cat prints the file instead
    # a dollar-quoted string run by EXECUTE
    ("psql -c 'DO $$ BEGIN EXECUTE $q$DROP TABLE users$q$; END $$'", DATA),
    ("psql -c 'DO $$ BEGIN EXECUTE $q$SELECT 1$q$; END $$'", PASS),
    # framework and platform tools that hand SQL to the database
    ("npx prisma db execute --stdin <<< 'DROP TABLE users'", DATA),
    ("npx prisma db execute --stdin --schema prisma/schema.prisma <<< 'SELECT 1'", PASS),
    ("pnpm prisma db execute --stdin <<< 'DELETE FROM sessions'", DATA),
    ("npm exec -- prisma db execute --stdin <<< 'TRUNCATE orders'", DATA),
    ("npx prisma migrate dev --name add_orders", PASS),
    ("npx prisma db push", PASS),
    ("python manage.py dbshell <<< 'DROP TABLE users;'", DATA),
    ("./manage.py dbshell --database replica <<< 'SELECT count(*) FROM users;'", PASS),
    ("python manage.py dbshell -- -c 'TRUNCATE auth_user'", DATA),
    ("django-admin dbshell <<< 'DELETE FROM django_session'", DATA),
    ("python manage.py migrate", PASS),
    ("python manage.py shell -c 'print(1)'", PASS),
    ("bin/rails dbconsole -p <<< 'TRUNCATE users'", DATA),
    ("rails db <<< 'DROP TABLE users'", DATA),
    ("bundle exec rails dbconsole -e test <<< 'SELECT 1'", PASS),
    ("bin/rails db:migrate", PASS),
    ("bin/rails runner 'ActiveRecord::Base.connection.execute(\"TRUNCATE users\")'", DATA),
    ("bin/rails runner 'puts User.where(active: true).update_all(seen: 1)'", PASS),
    ("wrangler d1 execute mydb --command 'DROP TABLE users'", DATA),
    ("npx wrangler d1 execute mydb --remote --command='DELETE FROM users'", DATA),
    ("wrangler d1 execute mydb --local --command 'SELECT * FROM users'", PASS),
    ("wrangler d1 list", PASS),
    ("turso db shell mydb 'DROP TABLE users'", DATA),
    ("turso db shell mydb <<< 'UPDATE users SET plan = 0'", DATA),
    ("turso db shell mydb 'SELECT * FROM users'", PASS),
    ("turso db list", PASS),
    # one-liners that drive a database through its driver
    ("python3 -c \"import sqlite3; c = sqlite3.connect('app.db'); c.execute('DELETE FROM users');"
     " c.commit()\"", DATA),
    ("python3 -c \"import sqlite3; sqlite3.connect('app.db').execute('DELETE FROM t WHERE id = 1')"
     "\"", PASS),
    ("python3 -c \"import psycopg2, os; psycopg2.connect(os.environ['DB']).cursor().execute("
     "'TRUNCATE orders')\"", DATA),
    ("python3 - <<'EOF'\nimport sqlite3\ndb = sqlite3.connect('app.db')\n"
     "db.executescript('DROP TABLE notes;')\nEOF", DATA),
    ("node -e \"require('better-sqlite3')('app.db').exec('DROP TABLE users')\"", DATA),
    ("node -e \"require('better-sqlite3')('app.db').prepare('SELECT * FROM users').all()\"",
     PASS),
    ("node -e \"const {Client} = require('pg'); new Client().query('UPDATE users SET a = 1')\"",
     DATA),
    ("ruby -e \"require 'sqlite3'; SQLite3::Database.new('app.db').execute('DELETE FROM t')\"",
     DATA),
    ("python3 -c \"print('drop table users')\"", PASS),  # no driver: only text
    ("node -e \"console.log('DELETE FROM users')\"", PASS),
    # in-memory databases and temp tables made by the same text
    ("sqlite3 :memory: 'CREATE TABLE t(a); INSERT INTO t VALUES (1); DROP TABLE t;'", PASS),
    ("sqlite3 :memory: \"ATTACH 'app.db' AS a; DROP TABLE a.users\"", DATA),
    ("sqlite3 -bail :memory: '.open app.db' 'DROP TABLE users'", DATA),
    ("sqlite3 <<< 'CREATE TABLE t(a); DROP TABLE t'", PASS),  # no file: a transient database
    ("duckdb :memory: -c 'CREATE TABLE t AS SELECT 1; DROP TABLE t'", PASS),
    ("duckdb -c \"ATTACH 'w.duckdb' AS w; DROP TABLE w.events\"", DATA),
    ("duckdb warehouse.duckdb -c 'CREATE TABLE t AS SELECT 1; DROP TABLE t'", DATA),
    ("psql -c 'CREATE TEMP TABLE x AS SELECT 1; DROP TABLE x'", PASS),
    ("mysql -e 'CREATE TEMPORARY TABLE x (a int); DROP TEMPORARY TABLE x'", PASS),
    ("psql -c 'CREATE TEMP TABLE x AS SELECT 1; DROP TABLE x, users'", DATA),
    ("psql -c 'DROP TABLE x; CREATE TEMP TABLE x AS SELECT 1'", DATA),
    # a client goes on after a failed CREATE (the table existed): only TEMP counts here
    ("psql -c 'CREATE TABLE x AS SELECT 1; DROP TABLE x'", DATA),
    ("python3 -c \"import sqlite3; c = sqlite3.connect(':memory:'); c.execute('CREATE TABLE t(a)')"
     "; c.execute('DROP TABLE t')\"", PASS),
    ("python3 -c \"import sqlite3; m = sqlite3.connect(':memory:'); d = sqlite3.connect('app.db')"
     "; d.execute('DROP TABLE t')\"", DATA),
    ("python3 -c \"import sqlite3; c = sqlite3.connect(':memory:'); "
     "c.execute(\\\"ATTACH 'a.db' AS a\\\"); c.execute('DROP TABLE a.t')\"", DATA),
    ("node -e \"require('better-sqlite3')(':memory:').exec('DROP TABLE t')\"", PASS),
    # GRANT: the privileges end at ON, so ON ALL TABLES grants what comes before it
    ('psql -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO readonly"', PASS),
    ('psql -c "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app"', PASS),
    ('psql -c "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA api TO web"', PASS),
    ('psql -c "GRANT ALL ON ALL TABLES IN SCHEMA public TO app"', SECURITY),
    ('psql -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC"', SECURITY),
    ('psql -c "GRANT admin TO bob"', PASS),
    # an inner join with a condition bounds the rows an UPDATE or DELETE changes
    ('mysql -e "UPDATE orders o JOIN customers c ON c.id = o.customer_id '
     'SET o.region = c.region"', PASS),
    ('mysql -e "DELETE o FROM orders o JOIN tmp_ids t ON t.id = o.id"', PASS),
    ('sqlcmd -Q "UPDATE t SET t.a = u.a FROM dbo.T t INNER JOIN dbo.U u ON t.id = u.id"', PASS),
    ('mysql -e "UPDATE orders o LEFT JOIN customers c ON c.id = o.customer_id '
     'SET o.region = c.region"', DATA),
    ('mysql -e "UPDATE orders o JOIN customers c ON 1 = 1 SET o.region = c.region"', DATA),
    ('psql -c "UPDATE t SET a = u.a FROM u"', DATA),
    ('psql -c "DELETE FROM t WHERE id IN (SELECT t2.id FROM t2 JOIN t3 ON t2.a = t3.a)"', PASS),
    ('mysql -e "DELETE FROM t WHERE x IN (SELECT a FROM u JOIN v ON u.i = v.i); '
     'DELETE FROM w"', DATA),
    # a name given by a variable
    ('for t in a b; do psql -c "TRUNCATE ${t}"; done', DATA),
    # SQL held in a variable the line sets first
    ('SQL="DROP TABLE users"; psql -c "$SQL"', DATA),
    ("export Q='DELETE FROM sessions'; mysql -e \"$Q\"", DATA),
    ("SQL=$(cat <<'EOF'\nDELETE FROM users;\nEOF\n)\npsql -c \"$SQL\"", DATA),
    ("read -r -d '' SQL <<'EOF'\nTRUNCATE users;\nEOF\npsql -c \"$SQL\"", DATA),
    ('T=users; psql -c "DROP TABLE ${T}"', DATA),
    ('SQL="SELECT 1"; psql -c "$SQL"', PASS),
    ('T=users; psql -c "SELECT * FROM $T WHERE id = 1"', PASS),
    ('SQL="DROP TABLE users"; echo "$SQL"', PASS),
    # statements a query builds, piped into a client
    ("psql -At -c \"SELECT 'DROP TABLE ' || tablename || ';' FROM pg_tables "
     "WHERE schemaname = 'public'\" | psql", DATA),
    ("psql -At -c \"SELECT format('TRUNCATE %I;', tablename) FROM pg_tables\" | psql shop",
     DATA),
    ("mysql -N -e \"SELECT CONCAT('DROP TABLE ', table_name, ';') "
     "FROM information_schema.tables\" | mysql shop", DATA),
    ("psql -At -c \"SELECT 'DROP TABLE ' || tablename FROM pg_tables\" | grep orders", PASS),
    ('psql -At -c "SELECT count(*) FROM pg_tables" | psql', PASS),
    ("psql -At -c \"SELECT 'DROP INDEX ' || indexname || ';' FROM pg_indexes\" | psql", PASS),
    # framework commands that empty the whole database
    ("npx prisma migrate reset --force", DATA),
    ("pnpm prisma db push --force-reset", DATA),
    ("npx prisma db push", PASS),
    ("npx prisma migrate deploy", PASS),
    ("bin/rails db:drop", DATA),
    ("bundle exec rake db:drop db:create db:migrate", DATA),
    ("docker compose exec web bin/rails db:reset", DATA),
    ("RAILS_ENV=production bin/rails db:schema:load", DATA),
    ("RAILS_ENV=test bin/rails db:schema:load", PASS),
    ("bin/rails db:migrate", PASS),
    ("python manage.py flush --noinput", DATA),
    ("poetry run python manage.py flush", DATA),
    ("python manage.py migrate", PASS),
    ("php artisan migrate:fresh --seed --force", DATA),
    ("php artisan migrate:fresh --env=testing", PASS),
    ("./vendor/bin/sail artisan db:wipe", DATA),
    ("php artisan migrate", PASS),
    ("supabase db reset --linked", DATA),
    ("supabase db push", PASS),
    ("npx sequelize-cli db:drop", DATA),
    ("npx typeorm schema:drop -d src/data-source.ts", DATA),
    ("mix ecto.reset", DATA),
    ("MIX_ENV=test mix ecto.reset", PASS),
    ("dotnet ef database drop --force", DATA),
    ("dotnet ef database update", PASS),
    ("flyway -url=jdbc:postgresql://db/shop clean", DATA),
    ("flyway migrate", PASS),
    ("liquibase drop-all", DATA),
    ("npx knex migrate:rollback --all", DATA),
    ("npx knex migrate:rollback", PASS),
    ("uv run alembic downgrade base", DATA),
    ("alembic downgrade -1", PASS),
    ("sh -c 'bin/rails db:drop'", DATA),
    # more ways to reach a client
    ("ssh db psql <<'EOF'\nDROP TABLE users;\nEOF", DATA),
    ("ssh db 'psql' <<< 'TRUNCATE users'", DATA),
    ("ssh db psql <<'EOF'\nSELECT 1;\nEOF", PASS),
    ("echo 'DELETE FROM users' | ssh -p 2222 db psql shop", DATA),
    ('ssh db "ls -la" < /dev/null', PASS),
    ("uv run python -c \"import sqlite3; sqlite3.connect('app.db').execute('DROP TABLE t')\"",
     DATA),
    ("poetry run python -c \"import sqlite3; sqlite3.connect('a.db').execute('SELECT 1')\"",
     PASS),
    ("npm run build", PASS),
    ('python manage.py shell -c "from django.db import connection; '
     "connection.cursor().execute('DROP TABLE users')\"", DATA),
    ("python manage.py shell <<'EOF'\nfrom django.db import connection\n"
     'connection.cursor().execute("TRUNCATE orders")\nEOF', DATA),
    ('python manage.py shell -c "print(1)"', PASS),
    ('heroku pg:psql -a shop -c "DROP TABLE users"', DATA),
    ('heroku pg:psql -a shop -c "SELECT count(*) FROM users"', PASS),
    ("heroku logs -a shop --tail", PASS),
    ('gcloud sql connect prod --user=postgres <<< "DROP TABLE users;"', DATA),
    ("gcloud sql instances list", PASS),
    ('runuser -u postgres -- psql -c "DROP TABLE users"', DATA),
    ('runuser -u postgres -- psql -c "SELECT 1"', PASS),
    ("export RAILS_ENV=test && bin/rails db:reset", PASS),
    ("RAILS_ENV=production NODE_ENV=test bin/rails db:drop", DATA),
    ("php artisan migrate:fresh --env testing", PASS),
    ("npx dotenv -e .env.test -- prisma migrate reset --force", PASS),
    ("npx prisma migrate reset --help", PASS),
    ("bin/rails help db:drop", PASS),
    ("mvn flyway:clean", DATA),
    ("./gradlew flywayClean", DATA),
    ("./gradlew clean build", PASS),
    ("heroku pg:reset DATABASE_URL --confirm shop", DATA),
    ("doppler run -- npx prisma migrate reset --force", DATA),
    ("op run --env-file=.env -- bin/rails db:drop", DATA),
    ("cross-env NODE_ENV=production prisma migrate reset --force", DATA),
    ("npx -y prisma@5.22.0 migrate reset --force", DATA),
    ("npx -y prisma@5.22.0 migrate deploy", PASS),
    ("python -m django flush --noinput", DATA),
    ("python3.12 manage.py flush --noinput", DATA),
    ("npx sequelize-cli db:migrate:undo:all", DATA),
    ("npx sequelize-cli db:migrate:undo", PASS),
    ("dotnet ef database update 0", DATA),
    ("python manage.py migrate shop zero", DATA),
    ("python manage.py migrate shop 0003", PASS),
    ("mix ecto.rollback --all", DATA),
    ("mix ecto.rollback", PASS),
    ("bin/rails db:migrate VERSION=0", DATA),
    ("bin/rails db:migrate VERSION=20240101000000", PASS),
    # the outer shell expands a variable before an inner shell runs it
    ("SQL='DROP TABLE x'; sh -c \"psql -c '$SQL'\"", DATA),
    ("SQL='DROP TABLE x'; ssh db \"psql -c '$SQL'\"", DATA),
    # filters pass some of what is piped in on to the client
    ("psql -At -c \"SELECT 'DROP TABLE ' || tablename || ';' FROM pg_tables\" | head -n 1 "
     "| psql", DATA),
    ('echo "DROP TABLE x" | sort | uniq | psql', DATA),
    ('echo "DROP TABLE x" | head -n 1 notes.sql | psql', PASS),
    # ORM calls in one-liners that change every row
    ('bin/rails runner "User.delete_all"', DATA),
    ("bin/rails runner \"Order.all.update_all(status: 'void')\"", DATA),
    ('bin/rails runner "User.where(active: false).delete_all"', PASS),
    ('bin/rails runner "puts User.count"', PASS),
    ('python manage.py shell -c "from shop.models import Order; Order.objects.all().delete()"',
     DATA),
    ('python manage.py shell -c "Order.objects.update(flag=True)"', DATA),
    ('python manage.py shell -c "Order.objects.filter(id=3).delete()"', PASS),
    ("node -e \"const {PrismaClient} = require('@prisma/client'); "
     'new PrismaClient().user.deleteMany()"', DATA),
    ("node -e \"new PrismaClient().user.deleteMany({ where: { id: 1 } })\"", PASS),
    ("node -e \"require('./models').User.destroy({ truncate: true })\"", DATA),
    ('python -c "from pymongo import MongoClient; MongoClient().app.users.delete_many({})"',
     DATA),
    ('python -c "from app import session, User; session.query(User).delete()"', DATA),
    ('python -c "from app import session, User; '
     'session.query(User).filter(User.id == 1).delete()"', PASS),
    ('grep -rn "deleteMany()" src/', PASS),
    ('git commit -m "User.delete_all in the seeds"', PASS),
    # only mentioned
    ("echo rails db:drop", PASS),
    ('git commit -m "rails db:drop before seeding"', PASS),
    ("grep -rn migrate:fresh docs/", PASS),
    ("make clean", PASS),
]

# (path, content, expected verdict)
FILES = [
    ("db/schema.sql", "CREATE TABLE t (id int);\nDROP TABLE legacy;\n", DATA),
    ("db/cleanup.sql", "DELETE FROM audit_log;", DATA),
    ("db/cleanup.sql", "DELETE FROM audit_log WHERE created < now() - interval '1 year';", PASS),
    ("q.sql", "-- DROP TABLE t;\nSELECT 1;", PASS),
    ("q.sql", "SELECT 'TRUNCATE t';", PASS),
    ("q.sql", "/* DELETE FROM t; */\nSELECT * FROM t WHERE deleted_at IS NULL;", PASS),
    ("migrations/0042_drop.sql", "ALTER TABLE customers DROP COLUMN email;", DATA),
    ("migrations/0043.sql", "ALTER TABLE customers ADD COLUMN email text;", PASS),
    ("grants.sql", "GRANT ALL ON ALL TABLES IN SCHEMA public TO app;", SECURITY),
    ("db/migrate/20240101_drop.rb", 'execute "DROP TABLE customers"\n', DATA),
    ("app/migrations/0007_cleanup.py",
     'op.execute("UPDATE users SET active = false")\n', DATA),
    ("app/migrations/0008.py", '"""Update the index."""\nop.add_column("t", "c")\n', PASS),
    ("app/migrations/0009.py", 'op.execute("DELETE FROM t WHERE id = 1")\n', PASS),
    ("db/migrate/20240102.rb", "execute <<~SQL\n  TRUNCATE sessions\nSQL\n", DATA),
    ("src/app.py", 'cursor.execute("DROP TABLE t")\n', PASS),  # not a SQL or migration file
    ("notes.md", "DROP TABLE customers", PASS),
    ("db/fn.sql", "CREATE FUNCTION purge() RETURNS void AS $$ DELETE FROM sessions $$ "
     "LANGUAGE sql;", DATA),
    ("db/fn.sql", "CREATE OR REPLACE FUNCTION purge() RETURNS void AS $f$\nBEGIN\n"
     "  DELETE FROM sessions WHERE expires_at < now();\nEND\n$f$ LANGUAGE plpgsql;", PASS),
    ("db/do.sql", "DO $$\nBEGIN\n  EXECUTE format('TRUNCATE %I', 'logs');\nEND\n$$;", DATA),
    ("db/archive.sql", "WITH d AS (DELETE FROM t RETURNING id) INSERT INTO archive SELECT * "
     "FROM d;", DATA),
    ("db/merge.sql", "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE;", DATA),
    # a table the same text creates first holds none of the user's data
    ("migrations/003_create_tmp.sql", "CREATE TABLE tmp_import (a int);\nINSERT INTO users "
     "SELECT * FROM tmp_import;\nDROP TABLE tmp_import;\n", PASS),
    ("migrations/003_create_tmp.sql", "CREATE TABLE tmp_import (a int);\nINSERT INTO users "
     "SELECT * FROM tmp_import;\nDROP TABLE users;\n", DATA),
    ("sql/tests/setup.sql", "CREATE TEMP TABLE t AS SELECT 1;\nDROP TABLE t;\n", PASS),
    ("sql/tests/setup.sql", "CREATE TEMP TABLE t AS SELECT 1;\nDROP TABLE t, users;\n", DATA),
    ("db/reset.sql", "DROP TABLE IF EXISTS orders;\nCREATE TABLE orders (id int);\n", DATA),
    ("db/x.sql", "CREATE TABLE IF NOT EXISTS orders (id int);\nDROP TABLE orders;\n", DATA),
    ("db/x.sql", 'CREATE TABLE "Orders" (id int);\nDROP TABLE "Orders";\n', PASS),
    ("db/x.sql", "CREATE TABLE staging.orders (id int);\nDROP TABLE public.orders;\n", DATA),
    # down parts that reverse their own up part
    ("migrations/000002_create_orders.down.sql", "DROP TABLE IF EXISTS orders;\n", PASS),
    ("migrations/000002_create_orders.down.sql", "DROP TABLE IF EXISTS customers;\n", DATA),
    ("migrations/000003_add_index.down.sql", "DROP TABLE orders;\n", DATA),
    ("migrations/2024-01-01-000000_create_orders/down.sql", "DROP TABLE orders;\n", PASS),
    ("db/migration/U2__create_orders_table.sql", "DROP TABLE orders;\n", PASS),
    ("db/migration/U2__create_orders_table.sql", "DROP TABLE users;\n", DATA),
    ("db/migrations/20240101120000_create_orders.sql", "-- migrate:up\nCREATE TABLE orders "
     "(id int);\n\n-- migrate:down\nDROP TABLE orders;\n", PASS),
    ("db/migrations/20240101120000_create_orders.sql", "-- migrate:up\nCREATE TABLE orders "
     "(id int);\n\n-- migrate:down\nDROP TABLE orders;\nDROP TABLE customers;\n", DATA),
    ("migrations/00002_orders.sql", "-- +goose Up\nCREATE TABLE orders (id int);\n"
     "-- +goose Down\nDROP TABLE orders;\n", PASS),
    ("migrations/00002_orders.sql", "-- +goose Up\nALTER TABLE orders ADD c int;\n"
     "-- +goose Down\nDROP TABLE orders;\n", DATA),
    ("app/migrations/0002_orders.py", "operations = [migrations.RunSQL(\"CREATE TABLE orders (id "
     "int)\", reverse_sql=\"DROP TABLE orders\")]\n", PASS),
    ("app/migrations/0002_orders.py", "operations = [migrations.RunSQL(\"ALTER TABLE orders ADD c "
     "int\", reverse_sql=\"DROP TABLE orders\")]\n", DATA),
    ("db/migrate/20240101_create_orders.rb", "class CreateOrders < ActiveRecord::Migration[7.1]\n"
     "  def up\n    create_table :orders do |t|\n      t.string :name\n    end\n  end\n\n"
     "  def down\n    execute \"DROP TABLE orders\"\n  end\nend\n", PASS),
    ("db/migrate/20240101_drop_users.rb", "class DropUsers < ActiveRecord::Migration[7.1]\n"
     "  def up\n    add_column :orders, :note, :string\n  end\n\n"
     "  def down\n    execute \"DROP TABLE users\"\n  end\nend\n", DATA),
    ("alembic/versions/1a2b_create_orders.py", "def upgrade():\n    op.create_table(\"orders\", "
     "sa.Column(\"id\", sa.Integer))\n\n\ndef downgrade():\n"
     "    op.execute(\"DROP TABLE orders\")\n", PASS),
    ("alembic/versions/1a2b_x.py", "def upgrade():\n    op.add_column(\"orders\", sa.Column(\"c\"))"
     "\n\n\ndef downgrade():\n    op.execute(\"DROP TABLE orders\")\n", DATA),
]


def _verdict(findings: list[sqlscan.Finding]) -> tuple[str, str] | None:
    if not findings:
        return None
    security = [f for f in findings if f.category == "SECURITY"]
    first = (security or findings)[0]
    return (first.level, first.category)


@pytest.mark.parametrize(("command", "expected"), COMMANDS)
def test_command_verdict(command: str, expected: tuple[str, str] | None) -> None:
    assert _verdict(scan_command(command)) == expected


@pytest.mark.parametrize(("path", "content", "expected"), FILES)
def test_file_verdict(path: str, content: str, expected: tuple[str, str] | None) -> None:
    assert _verdict(scan_file(path, content)) == expected


def test_every_reset_tool_is_a_runner_name() -> None:
    """The guard parses only commands that name a runner (clients.names_a_runner), so
    every tool with a database reset must be one."""
    from pact_runtime.signals import sqlsources
    from pact_runtime.signals.clients import CLIENTS, RESET_TOOLS

    names = set(sqlsources._RESETS) | set(sqlsources._RESET_ALIASES)
    assert names <= set(CLIENTS) | RESET_TOOLS


def test_table_is_large_enough() -> None:
    assert len(COMMANDS) + len(FILES) + len(SCRIPT_COMMANDS) >= 150


def test_ordinary_commands_do_not_reach_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail() -> None:
        raise AssertionError("sqlglot was loaded for an ordinary command")

    monkeypatch.setattr(sqlscan, "_sqlglot", fail)
    for command in ("ls -la", "git status", "pytest -q tests", "npm install",
                    "bash build.sh --update", 'psql -c "SELECT 1"'):
        assert scan_command(command) == []


def test_guard_parses_only_commands_that_name_a_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from pact_runtime.signals import guard

    def fail(*args: object) -> None:
        raise AssertionError("an ordinary command was parsed")

    monkeypatch.setattr(sqlscan, "scan_command", fail)
    monkeypatch.setattr(sqlscan, "scan_command_files", fail)
    for command in ('git commit -m "drop table users"', "apt-get update", "ls -la"):
        assert guard._bash_findings(command, ".") == []


def test_unparsable_statement_falls_back_to_tokens_for_that_statement_only() -> None:
    findings = classify("SELEC broken ((; DELETE FROM t; SELECT 1", "postgres")
    assert [(f.kind, f.statement) for f in findings] == [("DELETE without WHERE", "DELETE FROM t")]


def test_token_check_without_sqlglot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlscan, "_sqlglot", lambda: None)
    assert _verdict(classify("DROP TABLE x")) == DATA
    assert _verdict(classify("DELETE FROM t WHERE id IN (SELECT 1)")) is None
    assert _verdict(classify("WITH a AS (SELECT 1 WHERE 1=1) DELETE FROM t")) == DATA
    assert _verdict(classify("GRANT SELECT ON t TO PUBLIC")) == SECURITY
    assert _verdict(classify("truncate the log")) is None
    assert _verdict(classify("update the index")) is None
    assert _verdict(classify("WITH d AS (DELETE FROM t RETURNING *) SELECT 1")) == DATA
    assert _verdict(classify("WITH d AS (UPDATE t SET a = f(b) RETURNING *) SELECT 1")) == DATA
    assert _verdict(classify("WITH d AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT 1")) is None
    assert _verdict(classify("MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE")) == DATA
    assert _verdict(classify("DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$")) == DATA


def test_finding_names_the_statement() -> None:
    (finding,) = scan_command('psql -c "DROP TABLE customers"')
    assert finding.describe() == "DROP TABLE: `DROP TABLE customers`"


def test_ten_megabyte_sql_file_is_judged_to_its_end() -> None:
    """Past the parse budget the token check judges the rest (its time: bench_guard)."""
    text = "INSERT INTO t VALUES (1, 'update me');\n" * 250_000 + "DROP TABLE t;\n"
    assert _verdict(scan_file("big.sql", text)) == DATA


@pytest.mark.parametrize(("command", "expected"), COMMANDS)
def test_guard_pre_checks_lose_no_verdict(tmp_path, command: str,
                                          expected: tuple[str, str] | None) -> None:
    from pact_runtime.signals import guard

    assert _verdict(guard._bash_findings(command, str(tmp_path))) == expected



@pytest.mark.parametrize(("command", "names"), [
    ('git commit -m "update the docs"', False), ("apt-get update", False),
    ("npm run update", False), ('PGPASSWORD=x psql -c "x"', True),
    ("/usr/bin/psql", True), ("bash -c 'x'", True), ('echo "x" | mysql', True),
    ("eval \"$CMD\"", True), ("kubectl exec db -- sqlite3 f", True), ("push.sh", False),
    ("npx prisma db execute --stdin", True), ("python manage.py dbshell", True),
    ("python3 -c 'import sqlite3,os'", True), ("node -e \"require('better-sqlite3')\"", True),
    ("python3 -c 'print(1)'", False), ("npm test", False),
])
def test_runner_names(command: str, names: bool) -> None:
    from pact_runtime.signals.clients import names_a_runner

    assert names_a_runner(command) is names


# Script files a client is told to run: (command, expected verdict), run in a folder holding
# drop.sql (DROP TABLE), purge.sql (DELETE without WHERE), safe.sql and grant.sql.
SCRIPT_FILES = {
    "drop.sql": "-- cleanup\nDROP TABLE customers;\n",
    "purge.sql": "BEGIN;\nDELETE FROM sessions;\nCOMMIT;\n",
    "safe.sql": "DELETE FROM sessions WHERE expires_at < now();\nSELECT 1;\n",
    "grant.sql": "GRANT ALL ON customers TO intern;\n",
    "sub/notes.sql": "SELECT 1;\n",
    "migrations/0001_init.sql": "CREATE TABLE orders (id int);\n",
    "migrations/0003_purge.sql": "TRUNCATE orders;\n",
    "migrations/sub/0004_more.sql": "DELETE FROM carts;\n",
    "ok/0001_init.sql": "CREATE TABLE orders (id int);\n",
    "ok/0002_index.sql": "CREATE INDEX orders_id ON orders (id);\n",
}
SCRIPT_COMMANDS = [
    ("ssh db psql < drop.sql", DATA),
    ("cat drop.sql | ssh db psql shop", DATA),
    ("ssh db psql < safe.sql", PASS),
    ('psql -c "$(< drop.sql)"', DATA),
    ("heroku pg:psql -a shop -f drop.sql", DATA),
    ('psql -c "$(< safe.sql)"', PASS),
    ("psql -f drop.sql", DATA),
    ("psql shop --file=drop.sql", DATA),
    ("psql -fdrop.sql", DATA),
    ("psql -d shop -f ./purge.sql", DATA),
    ("mysql shop < purge.sql", DATA),
    ("sqlite3 app.db < drop.sql", DATA),
    ('sqlite3 app.db ".read drop.sql"', DATA),
    ("sqlite3 app.db <<EOF\n.read purge.sql\nEOF", DATA),
    ("bash -c 'psql -f drop.sql'", DATA),
    ("psql -f grant.sql", SECURITY),
    ("psql -f safe.sql", PASS),
    ("mysql shop < safe.sql", PASS),
    ("psql -f missing.sql", PASS),  # the client would fail to open it
    ("cat drop.sql", PASS),  # reading a script is not running it
    ("wc -l < drop.sql", PASS),
    ("grep -f drop.sql notes.txt", PASS),
    ("cat drop.sql | psql", DATA),
    ("cat -- purge.sql | mysql shop", DATA),
    ("< drop.sql cat | psql shop", DATA),
    ("cat safe.sql | psql", PASS),
    ('psql -c "\\i drop.sql"', DATA),
    ('psql -c "\\ir drop.sql"', DATA),
    ('psql -c "\\include purge.sql"', DATA),
    ("psql <<'EOF'\n\\i drop.sql\nEOF", DATA),
    ('mysql shop -e "source drop.sql"', DATA),
    ('mysql shop -e "SOURCE purge.sql"', DATA),
    ('mysql shop -e "\\. drop.sql"', DATA),
    ('psql -c "\\i safe.sql"', PASS),
    ('psql -f "$PWD/drop.sql"', DATA),
    ('psql -f "${PWD}/drop.sql"', DATA),
    ("psql -f dr*.sql", DATA),
    ("psql -f pur?e.sql", DATA),
    ("psql -f sa*.sql", PASS),
    ("psql -f nothing*.sql", PASS),
    ("cd sub && psql -f ../drop.sql", DATA),
    ("cd sub; psql -f ../purge.sql", DATA),
    ("cd sub && psql -f drop.sql", PASS),  # sub/drop.sql does not exist
    ("cd sub && psql -f notes.sql", PASS),
    ("psql -f $'nul\\x00.sql' -f drop.sql", DATA),  # the unreadable path loses nothing
    ('psql -c "$(cat drop.sql)"', DATA),
    ("psql -f <(cat purge.sql)", DATA),
    ('sqlite3 app.db "$(cat drop.sql)"', DATA),
    ('echo "$(psql -f drop.sql)"', DATA),
    ("sqlplus app/pw@db @drop", DATA),
    ("sqlplus app/pw@db @safe.sql", PASS),
    ('psql -c "$(cat safe.sql)"', PASS),
    # files run before the session (-init) and files whose lines become arguments (xargs -a)
    ("sqlite3 -init drop.sql app.db", DATA),
    ("sqlite3 -init safe.sql app.db .quit", PASS),
    ("duckdb -init purge.sql warehouse.duckdb", DATA),
    ("xargs -a drop.sql -d '\\n' psql -c", DATA),
    ("xargs --arg-file=purge.sql -I{} mysql shop -e {}", DATA),
    ("xargs -a safe.sql -I{} psql -c {}", PASS),
    ("xargs -a drop.sql echo", PASS),
    ("npx prisma db execute --file drop.sql --schema prisma/schema.prisma", DATA),
    ("npx prisma db execute --file safe.sql --schema prisma/schema.prisma", PASS),
    ("wrangler d1 execute mydb --remote --file=purge.sql", DATA),
    ("wrangler d1 execute mydb --file safe.sql", PASS),
    ("turso db shell mydb < drop.sql", DATA),
    ("python manage.py dbshell < purge.sql", DATA),
    ("python manage.py loaddata < drop.sql", PASS),  # not a subcommand that runs SQL
    # files named by a loop, a pipe into xargs or while-read, find -exec, or a variable
    ('for f in migrations/*.sql; do psql "$DATABASE_URL" -f "$f"; done', DATA),
    ('for f in migrations/*.sql; do psql -f "$f" || exit 1; done', DATA),
    ('for f in ok/*.sql; do psql "$DATABASE_URL" -f "$f"; done', PASS),
    ("for f in ok/0001_init.sql drop.sql; do psql -f ${f}; done", DATA),
    ("for f in ok/0001_init.sql safe.sql; do psql -f ${f}; done", PASS),
    ("for f in $(ls migrations/*.sql); do psql -f $f; done", DATA),
    ("for f in $(ls ok/*.sql); do psql -f $f; done", PASS),
    ("for f in $(find migrations -name '*.sql' | sort); do psql -f \"$f\"; done", DATA),
    ("ls migrations/*.sql | xargs -n1 psql -f", DATA),
    ("ls ok/*.sql | xargs -n1 psql -f", PASS),
    ("ls migrations/*.sql | xargs cat | psql", DATA),
    ("ls ok/*.sql | xargs cat | psql", PASS),
    ("find migrations -name '*.sql' -exec psql -f {} \\;", DATA),
    ("find ok -name '*.sql' -exec psql -f {} \\;", PASS),
    ("find migrations -maxdepth 1 -name '*_init.sql' -exec psql -f {} \\;", PASS),
    ("find migrations -maxdepth 1 -iname '*_PURGE.SQL' -exec psql -f {} \\;", DATA),
    ("find migrations/sub -type f -exec psql -f {} +", DATA),
    ("find migrations -name '*.sql' | sort | xargs -I{} psql -f {}", DATA),
    ("find ok -name '*.sql' | sort | xargs -I{} psql -f {}", PASS),
    ("find migrations -name '*.sql' -newer ok -exec psql -f {} \\;", PASS),  # cannot know
    ('ls migrations/*.sql | sort -V | while read -r f; do psql -f "$f"; done', DATA),
    ('ls ok/*.sql | while IFS= read -r f; do psql -f "$f"; done', PASS),
    ("F=drop.sql; psql -f $F", DATA),
    ("export F=safe.sql; psql -f $F", PASS),
    ("F=drop.sql psql -f $F", PASS),  # bash expands $F before that assignment applies
    ("psql -f $(ls drop.sql)", DATA),
    ("psql -f $(ls safe.sql)", PASS),
    ('psql -f "$MIGRATION"', PASS),  # nothing on the line says what it holds
    ("cat list.txt | xargs -n1 psql -f", PASS),
]


@pytest.mark.parametrize(("command", "expected"), SCRIPT_COMMANDS)
def test_script_file_verdict(tmp_path, command: str, expected: tuple[str, str] | None) -> None:
    _write_script_files(tmp_path)

    assert _verdict(sqlscan.scan_command_files(command, str(tmp_path))) == expected


def _write_script_files(folder) -> None:
    for name, content in SCRIPT_FILES.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(content)


@pytest.mark.parametrize(("up", "down", "expected"), [
    ("CREATE TABLE orders (id int);\n", "DROP TABLE IF EXISTS orders;\n", PASS),
    ("CREATE TABLE orders (id int);\n", "DROP TABLE orders;\nDROP TABLE users;\n", DATA),
    ("ALTER TABLE orders ADD c int;\n", "DROP TABLE orders;\n", DATA),
    (None, "DROP TABLE orders;\n", DATA),  # no up file and a name that creates nothing
])
def test_a_down_file_is_judged_against_the_up_file_beside_it(
        tmp_path, up: str | None, down: str, expected: tuple[str, str] | None) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    if up is not None:
        (folder / "000002_orders.up.sql").write_text(up)

    assert _verdict(scan_file(str(folder / "000002_orders.down.sql"), down)) == expected


def test_files_past_the_cap_are_named_as_unseen(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(sqlscan, "MAX_LISTED_FILES", 2)
    (tmp_path / "m").mkdir()
    for k, sql in enumerate(("SELECT 1;", "SELECT 2;", "DROP TABLE t;")):
        (tmp_path / "m" / f"{k}.sql").write_text(sql)
    unseen: list[str] = []

    findings = sqlscan.scan_command_files("for f in m/*.sql; do psql -f $f; done",
                                          str(tmp_path), unseen)

    assert findings == [] and unseen == ["m/*.sql"]


def test_a_find_walk_stops_at_its_cap(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(sqlscan, "MAX_WALKED", 8)  # the six folders, then three of them
    for k in range(6):
        (tmp_path / f"d{k}").mkdir()
        (tmp_path / f"d{k}" / "x.sql").write_text("DROP TABLE t;")
    unseen: list[str] = []

    findings = sqlscan.scan_command_files("find . -name '*.sql' -exec psql -f {} \\;",
                                          str(tmp_path), unseen)

    assert [f.kind for f in findings] == [f"DROP TABLE in d{k}/x.sql" for k in range(3)]
    assert unseen == ["./**/*.sql"]


def test_running_a_down_migration_still_halts(tmp_path) -> None:
    """Writing the down half is harmless; running it drops what the table holds by now."""
    (tmp_path / "000002_create_orders.up.sql").write_text("CREATE TABLE orders (id int);\n")
    (tmp_path / "000002_create_orders.down.sql").write_text("DROP TABLE orders;\n")

    findings = sqlscan.scan_command_files("psql -f 000002_create_orders.down.sql", str(tmp_path))

    assert _verdict(findings) == DATA


def test_script_file_finding_names_the_file(tmp_path) -> None:
    (tmp_path / "drop.sql").write_text("DROP TABLE customers;\n")

    [finding] = sqlscan.scan_command_files("psql -f drop.sql", str(tmp_path))

    assert finding.describe() == "DROP TABLE in drop.sql: `DROP TABLE customers`"


@pytest.mark.parametrize(("command", "expected"), SCRIPT_COMMANDS)
def test_guard_pre_checks_lose_no_script_file_verdict(tmp_path, command: str,
                                                      expected: tuple[str, str] | None) -> None:
    from pact_runtime.signals import guard

    _write_script_files(tmp_path)

    assert _verdict(guard._bash_findings(command, str(tmp_path))) == expected


def test_a_large_script_file_is_read_at_both_ends(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(sqlscan, "MAX_SCRIPT_BYTES", 1000)
    rows = "INSERT INTO t VALUES (1, 'x');\n" * 200
    (tmp_path / "tail.sql").write_text(rows + "DROP TABLE t;\n")
    (tmp_path / "head.sql").write_text("TRUNCATE t;\n" + rows)
    # A statement cut at the seam is not judged as a fragment.
    (tmp_path / "seam.sql").write_text("SELECT 1;" + " " * 975 + "DELETE FROM t\nWHERE id = 1;")

    assert _verdict(sqlscan.scan_command_files("psql -f tail.sql", str(tmp_path))) == DATA
    assert _verdict(sqlscan.scan_command_files("psql -f head.sql", str(tmp_path))) == DATA
    assert sqlscan.scan_command_files("psql -f seam.sql", str(tmp_path)) == []


def test_a_nul_in_the_cwd_keeps_the_other_findings(tmp_path) -> None:
    from pact_runtime.signals import guard

    findings = guard._bash_findings('psql -f x.sql -c "DROP TABLE users"', "bad\0cwd")

    assert _verdict(findings) == DATA


@pytest.mark.parametrize(("text", "tokens"), [
    ("a b\tc", ["a", "b", "c"]), ("a;b", ["a", ";", "b"]), ("ls 2>&1|wc", ["ls", "2", ">&", "1",
                                                                      "|", "wc"]),
    ("'a b'c", ["a bc"]), ('"a \\"b\\" \\$x \\n"', ['a "b" $x \\n']), ("a\\ b", ["a b"]),
    ('""', [""]), ("p'sql' -c", ["psql", "-c"]), ('echo ";"', ["echo", ";"]),
    ("echo '>x'", ["echo", ">x"]), ("a#b # c", ["a#b", "#", "c"]),
])
def test_tokenize_follows_bash_quoting(text: str, tokens: list[str]) -> None:
    from pact_runtime.signals.shell import tokenize

    assert tokenize(text) == tokens


@pytest.mark.parametrize("text", ["echo 'open", 'echo "open', "echo \\"])
def test_tokenize_refuses_an_unclosed_quote(text: str) -> None:
    from pact_runtime.signals.shell import tokenize

    with pytest.raises(ValueError):
        tokenize(text)


def test_a_megabyte_of_quoted_sql_is_read_in_one_pass() -> None:
    """A long quoted token once took shlex minutes (quadratic), past the hook's timeout."""
    command = 'psql -c "' + "SELECT 1; " * 100_000 + 'DROP TABLE customers"'
    assert _verdict(scan_command(command)) == DATA
