// command exercises load-time flagging of a wasip1 command module (exports _start, no _initialize); build it WITHOUT -buildmode=c-shared.
package main
