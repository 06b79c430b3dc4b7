@echo off
rem cnn4j launcher of the distribution archive (Windows): same JVM flags as bin/cnn4j.
rem Uses %JAVA_HOME%\bin\java.exe when JAVA_HOME is set, else java on the PATH (JDK 17 or newer).
rem The OpenBLAS backend has natives for linux-x86_64 only; elsewhere the Vector API backend runs.
setlocal
set "CNN4J_HOME=%~dp0.."
if defined JAVA_HOME (set "JAVA_EXE=%JAVA_HOME%\bin\java.exe") else (set "JAVA_EXE=java")
"%JAVA_EXE%" -Xmn128m %CNN4J_JAVA_OPTS% --add-modules jdk.incubator.vector -XX:+UseParallelGC --add-opens java.base/java.nio=ALL-UNNAMED -cp "%CNN4J_HOME%\lib\*" io.cnn4j.cli.Main %*
exit /b %ERRORLEVEL%
